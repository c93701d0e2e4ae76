// --capture for `proxyscope probe`: not wired yet (see attachCapture).
import type { HostPort, ProbeResult } from './index.js';

export interface CaptureAttachment {
  text: string;
  json: unknown;
}

export interface ProbeCaptureSession {
  finish(result: () => ProbeResult): Promise<CaptureAttachment>;
}

export async function attachCapture(iface: string, proxy: HostPort): Promise<ProbeCaptureSession> {
  void proxy;
  return {
    finish: async () => ({
      text: `capture on ${iface} is not available in this build: the probe ran without packet evidence`,
      json: { available: false, interface: iface },
    }),
  };
}
