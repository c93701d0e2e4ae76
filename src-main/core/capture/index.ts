/**
 * Live capture for ProxyScope.
 *
 * - startCapture(opts) → CaptureSession: picks a backend (dumpcap, tcpdump, cap: see backends.ts),
 *   writes every packet to pcapng (flushed every ≤500 ms), calls onBatch(packets) in order, stops
 *   on count/duration/size limits; stats() shows received and every kind of drop.
 * - listInterfaces() → name, description, addresses, link type, flags, capture permitted.
 * - buildProxyFilter / compileFilter / assertFilterCompiles: BPF from proxy settings, checked early.
 * - CaptureError (code, message, fix lines): the privilege doctor's per-OS advice.
 */
export { startCapture, type CaptureSession, type BatchInfo } from './capture-session.js';
export { listInterfaces, type InterfaceList, type ListInterfacesOptions } from './interfaces.js';
export {
  buildProxyFilter,
  compileFilter,
  assertFilterCompiles,
  type ProxyFilterSettings,
  type CompileResult,
} from './bpf.js';
export { detectBackends, AUTO_ORDER } from './backends.js';
export {
  nodeForkLauncher,
  channelFromUtilityProcess,
  type HelperLauncher,
  type HelperChannel,
  type UtilityProcessLike,
} from './helper-channel.js';
export {
  CaptureError,
  privilegeFixes,
  backendInstallHint,
  diagnoseCaptureFailure,
  type CaptureErrorCode,
} from './errors.js';
export type {
  BackendName,
  BackendAvailability,
  CaptureOptions,
  CaptureLimits,
  RingBufferOptions,
  CaptureStats,
  StopReason,
  CaptureInterface,
  InterfaceAddress,
} from './types.js';
