// The only thing the page gets: `window.proxyscope` = { invoke, on, off }, made from the contract's
// method and event names. Runs sandboxed, so the build bundles it with what it imports.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Envelope, EventName } from '../core/api.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, isEventName, isMethodName } from '../core/api-names.js';

type Listener = (payload: unknown) => void;
const listeners = new Map<EventName, Set<Listener>>();

ipcRenderer.on(IPC_EVENT_CHANNEL, (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (!isEventName(name)) return;
  for (const l of listeners.get(name) ?? []) l(payload);
});

contextBridge.exposeInMainWorld('proxyscope', {
  invoke(method: unknown, args?: unknown): Promise<Envelope<unknown>> {
    if (!isMethodName(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_METHOD', message: `Unknown method '${String(method)}'.` },
      });
    }
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, args) as Promise<Envelope<unknown>>;
  },
  on(event: unknown, listener: unknown): void {
    if (!isEventName(event) || typeof listener !== 'function') return;
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
  },
  off(event: unknown, listener: unknown): void {
    if (!isEventName(event)) return;
    listeners.get(event)?.delete(listener as Listener);
  },
});
