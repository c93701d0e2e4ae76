// The contract's method and event names without its schemas, for the sandboxed preload (which
// then needs no zod). Records keyed by the contract's own types: the compiler refuses a name
// missing here or not in api.ts.
import type { EventName, MethodName } from './api.js';

const METHOD_KEYS: Record<MethodName, true> = {
  'app.info': true,
  'interfaces.list': true,
  'settings.get': true,
  'settings.set': true,
  'samples.list': true,
  'packets.open': true,
  'packets.status': true,
  'packets.filter': true,
  'packets.rows': true,
  'packets.locate': true,
  'packets.detail': true,
  'diagnosis.run': true,
  'capture.start': true,
  'capture.stop': true,
  'capture.status': true,
  'probe.run': true,
  'probe.capture': true,
  'probe.last': true,
  'lab.start': true,
  'lab.stop': true,
  'lab.status': true,
};

const EVENT_KEYS: Record<EventName, true> = {
  'settings.changed': true,
  'menu.command': true,
  'packets.progress': true,
  'probe.stage': true,
  'capture.progress': true,
  'lab.changed': true,
  'probe.verdict': true,
};

export const METHOD_NAMES = Object.keys(METHOD_KEYS) as MethodName[];
export const EVENT_NAMES = Object.keys(EVENT_KEYS) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHOD_KEYS, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENT_KEYS, name);
}

/** Electron IPC channel names (both ends import them from here). */
export const IPC_INVOKE_CHANNEL = 'proxyscope:invoke';
export const IPC_EVENT_CHANNEL = 'proxyscope:event';
