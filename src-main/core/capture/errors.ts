// Capture failures with the reason and the commands that fix them, per OS. The privilege doctor
// lives here: it never asks for a password, it tells the user what to run themselves.
import type { BackendName } from './types.js';

export type CaptureErrorCode =
  | 'not-permitted'
  | 'no-such-interface'
  | 'bad-filter'
  | 'backend-missing'
  | 'backend-failed'
  | 'write-failed'
  | 'bad-options';

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    /** what to do about it, one line each; commands are meant to be copied */
    readonly fix: string[] = [],
    readonly backend?: BackendName,
    /** bad-filter: 0-based character offset where the filter stops making sense, when known */
    readonly position?: number,
    /** the backend's own words (libpcap's message), without our explanation around it */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }

  /** message plus the fix, for a terminal */
  describe(): string {
    return this.fix.length ? `${this.message}\n${this.fix.map((l) => `  ${l}`).join('\n')}` : this.message;
  }
}

export type Platform = 'linux' | 'darwin' | 'win32' | string;

const PERMISSION_PATTERNS = [
  /permission/i,
  /operation not permitted/i,
  /EPERM/,
  /EACCES/,
  /not permitted/i,
  /access (is )?denied/i,
];

export function looksLikePermissionError(message: string): boolean {
  return PERMISSION_PATTERNS.some((p) => p.test(message));
}

export function looksLikeNoSuchInterface(message: string): boolean {
  // Linux "No such device exists", macOS "BIOCSETIF: en9: Device not configured",
  // Npcap "The system cannot find the device specified"
  return /no such device|doesn't exist|does not exist|no such interface|not found|device not configured|cannot find the device|ENODEV|ENXIO/i.test(
    message,
  );
}

export interface DoctorContext {
  platform?: Platform;
  backend: BackendName;
  interface: string;
  /** the program that needs capture rights: node (or Electron) running the helper, tcpdump, dumpcap */
  executable?: string;
  /** libpcap's own words */
  detail: string;
}

/** What to run so that capture is permitted, for this OS and backend. */
export function privilegeFixes(ctx: Omit<DoctorContext, 'detail' | 'interface'>): string[] {
  const platform = ctx.platform ?? process.platform;
  if (platform === 'linux') {
    const exe = ctx.executable ?? (ctx.backend === 'cap' ? process.execPath : `/usr/bin/${ctx.backend}`);
    const lines = [
      'Linux: give the capture program the two capabilities it needs (no root at run time):',
      `  sudo setcap cap_net_raw,cap_net_admin=eip ${exe}`,
    ];
    if (ctx.backend === 'dumpcap' || ctx.backend === 'cap' || ctx.backend === 'tcpdump') {
      lines.push(
        'or use Wireshark\'s dumpcap (answer "Yes" to "non-superusers capture"), then log out and in:',
        '  sudo dpkg-reconfigure wireshark-common',
        '  sudo usermod -aG wireshark $USER',
        'or run ProxyScope once with root rights:',
        '  pkexec env DISPLAY=$DISPLAY XAUTHORITY=$XAUTHORITY proxyscope   (or: sudo proxyscope capture ...)',
      );
    }
    if (ctx.backend === 'cap') {
      lines.push(
        '(setcap on the node/Electron binary grants capture to every script it runs; prefer dumpcap when installed)',
      );
    }
    return lines;
  }
  if (platform === 'darwin') {
    return [
      "macOS: capture needs read access to /dev/bpf*. Wireshark's ChmodBPF does this at boot; to do it now:",
      '  sudo chgrp access_bpf /dev/bpf*',
      '  sudo chmod g+rw /dev/bpf*',
      'and be in the access_bpf group (created by Wireshark\'s "Install ChmodBPF"):',
      '  sudo dseditgroup -o edit -a $USER -t user access_bpf',
    ];
  }
  if (platform === 'win32') {
    return [
      'Windows: capture needs the Npcap driver. Install it from https://npcap.com/#download',
      'During setup leave "Restrict Npcap driver\'s access to Administrators only" UNCHECKED',
      '(if it was checked: re-run the Npcap installer and uncheck it, or start ProxyScope as Administrator).',
    ];
  }
  return [`${platform}: run the capture with root rights or give your user access to the capture device.`];
}

/** Turns a backend's failure text into the clear error the user sees. */
export function diagnoseCaptureFailure(ctx: DoctorContext): CaptureError {
  // dumpcap appends a paragraph of its own advice: keep libpcap's reason, the fix is ours
  const detail = ctx.detail.replace(/\s*Please check (to make sure|that)[\s\S]*$/, '').trim();
  if (looksLikePermissionError(detail)) {
    return new CaptureError(
      'not-permitted',
      `Capture on '${ctx.interface}' is not permitted for this user (${ctx.backend}: ${detail}).\n` +
        'ProxyScope never asks for your password; run one of these yourself, then try again:',
      privilegeFixes(ctx),
      ctx.backend,
      undefined,
      detail,
    );
  }
  if (looksLikeNoSuchInterface(detail)) {
    return new CaptureError(
      'no-such-interface',
      `There is no capture interface named '${ctx.interface}' (${ctx.backend}: ${detail}).`,
      ['List the interfaces with: proxyscope interfaces'],
      ctx.backend,
      undefined,
      detail,
    );
  }
  if (/filter|syntax error|parse|unknown host|illegal|expression/i.test(detail)) {
    return new CaptureError(
      'bad-filter',
      `The capture filter is not valid BPF: ${detail}`,
      [],
      ctx.backend,
      undefined,
      detail,
    );
  }
  return new CaptureError(
    'backend-failed',
    `Capture with ${ctx.backend} on '${ctx.interface}' failed: ${detail}`,
    [],
    ctx.backend,
    undefined,
    detail,
  );
}

/** How to get a backend that is not installed, per OS. */
export function backendInstallHint(backend: BackendName, platform: Platform = process.platform): string[] {
  if (backend === 'cap') {
    if (platform === 'linux')
      return [
        'Linux: sudo apt-get install libpcap-dev build-essential python3 && npm rebuild cap   (Fedora: sudo dnf install libpcap-devel gcc-c++ make)',
      ];
    if (platform === 'darwin') return ['macOS: xcode-select --install && npm rebuild cap'];
    if (platform === 'win32')
      return [
        'Windows: install Npcap (https://npcap.com) with the Npcap SDK and Visual Studio Build Tools, then: npm rebuild cap',
      ];
    return ['npm rebuild cap (needs libpcap headers and a C++ compiler)'];
  }
  if (backend === 'tcpdump') {
    if (platform === 'linux')
      return ['Linux: sudo apt-get install tcpdump   (Fedora: sudo dnf install tcpdump)'];
    if (platform === 'darwin') return ['macOS: tcpdump ships with the OS (/usr/sbin/tcpdump)'];
    if (platform === 'win32') return ['Windows: no tcpdump; install Wireshark (dumpcap) or Npcap for cap'];
    return ['install tcpdump'];
  }
  if (platform === 'linux')
    return ['Linux: sudo apt-get install wireshark-common   (Fedora: sudo dnf install wireshark-cli)'];
  if (platform === 'darwin')
    return [
      'macOS: install Wireshark (https://www.wireshark.org) with "Install ChmodBPF"; dumpcap is in Wireshark.app/Contents/MacOS',
    ];
  if (platform === 'win32')
    return [
      'Windows: install Wireshark (https://www.wireshark.org) with Npcap; dumpcap.exe is in C:\\Program Files\\Wireshark',
    ];
  return ['install Wireshark (dumpcap)'];
}
