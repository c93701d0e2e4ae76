// English UI text. The shape of this object is the dictionary type every language must fill
// (ko.ts is checked against it). FMC facts come from shared/reference/proxy-troubleshooting.md.
export const en = {
  langName: 'English',
  app: {
    title: 'ProxyScope',
    subtitle: 'Explicit HTTP proxy troubleshooter',
    language: 'Language',
  },
  steps: {
    setup: 'Setup',
    troubleshoot: 'Troubleshoot',
    verify: 'Verify',
    known: 'Known Issues',
    bundle: 'Save bundle…',
    stepN: (n: number) => `Step ${n}`,
  },
  status: {
    version: 'Version',
    transport: 'Transport',
    electron: 'Electron',
    browser: 'Browser',
    proxy: 'Proxy',
    proxyOff: 'off (direct)',
    capture: 'Capture',
    notConnected: 'not connected yet',
    disconnected: 'disconnected from the app — restart it and reload',
    config: 'Settings',
  },
  common: {
    notConnected: 'not connected yet',
    notConnectedBody: (engine: string) =>
      `The ${engine} engine is not connected to this window yet. Nothing is shown here until it is: ProxyScope never shows example packets as if they were yours.`,
    copy: 'Copy',
    copied: 'Copied',
    fromDocument: 'From Cisco "Troubleshoot proxy on Secure Firewall Management Center" (FMC 7.4.x)',
  },
  setup: {
    title: 'Proxy settings',
    where: 'On the FMC: System → Configuration → Management Interfaces → Proxy',
    intro:
      'Enter the proxy exactly as configured on the FMC. ProxyScope uses these values for the checks and commands in the next steps.',
    enabled: 'Enabled',
    host: 'HTTP Proxy',
    hostPlaceholder: 'IP address or FQDN',
    port: 'Port',
    useAuth: 'Use Proxy Authentication',
    username: 'User Name',
    password: 'Password',
    remember: 'Remember password',
    rememberKeychain: 'Stored encrypted in the OS keychain, never in the settings file.',
    rememberMemory: 'Kept in memory until ProxyScope closes; never written to disk.',
    notRemembered: 'Not remembered: kept only in this window until you reload or close it.',
    save: 'Save',
    saving: 'Saving…',
    saved: 'Saved',
    savedTo: (file: string) => `Saved to ${file}`,
    unsaved: 'Unsaved changes',
    hostTooLong: (n: number) => `${n} characters: with Smart Licensing the proxy FQDN may be at most 64.`,
    passwordChars:
      'The FMC accepts A–Z, a–z, 0–9 and special characters; this password has others (space or non-ASCII).',
    factsTitle: 'FMC facts',
    facts: [
      'Without a proxy the FMC reaches the internet directly on TCP/443 (HTTPS) and TCP/80 (HTTP).',
      'Proxy authentication: HTTP Digest is supported. NTLM is not supported.',
      'With Smart Licensing the proxy FQDN may be at most 64 characters.',
      'Password characters: A–Z, a–z, 0–9 and special characters.',
      'HTTP Proxy takes an IP address or an FQDN; Port is the proxy’s listening port.',
    ],
    interfacesTitle: 'Interfaces on this computer',
    interfacesNote: 'As the OS reports them. Live capture will list capture devices here.',
    colName: 'Name',
    colAddresses: 'Addresses',
    colState: 'State',
    up: 'up',
    loopback: 'loopback',
  },
  troubleshoot: {
    title: 'Checks to run on the FMC',
    intro: 'On the FMC CLI, enter expert mode (`expert`), then run these. Values come from the Setup step.',
    colCheck: 'Check',
    colCommand: 'Command',
    colExpect: 'What a good answer looks like',
    checks: {
      conf: 'Proxy the FMC actually uses',
      confExpect: 'PROXY_HOST and PROXY_PORT equal the Setup values.',
      netstat: 'Connections to the proxy',
      netstatExpect: 'Lines like "tcp 0 0 10.40.40.1:40220 10.10.10.1:80 ESTABLISHED".',
      curl: 'Request through the proxy',
      curlExpect: '"HTTP/1.1 200 Connection established": the FMC sends and receives through the proxy.',
      curlAuth: 'Request with proxy credentials',
      curlAuthExpect: 'Same 200 line. A 407 means the proxy rejected the credentials or the scheme.',
      tcpdump: 'Capture the traffic to the proxy',
      tcpdumpExpect: 'Copy the file off the FMC and open it here (File → Open capture…).',
    },
    curlFlagNote:
      'The document shows `curl -u`; for proxy credentials curl’s flag is `-U` / `--proxy-user` (`-u` sends them to the web server).',
    confTitle: '/etc/sf/iprep_proxy.conf should read',
    probeTitle: 'Active probe from this computer',
  },
  verify: {
    title: 'Expected flow through an explicit proxy',
    intro: 'What a good capture shows, in order. Compare your capture with it.',
    colStep: '#',
    colWhat: 'Stage',
    colDetail: 'What the packets show',
    flow: [
      [
        'TCP handshake',
        'Client → proxy port: SYN, SYN-ACK, ACK. (The document: client MSS 1460, proxy MSS 1300.)',
      ],
      [
        'CONNECT',
        'CONNECT tools.cisco.com:443 HTTP/1.1 with Host: tools.cisco.com:443, User-Agent: curl/…, Proxy-Connection: Keep-Alive.',
      ],
      [
        '200 Connection established',
        'From the proxy (the document measured 0.1766 s after the request). From here the proxy only relays.',
      ],
      [
        'TLS through the tunnel',
        'Client Hello (SNI=tools.cisco.com), Server Hello, then encrypted application data. A 302 Found inside is normal (visible only if TLS is decrypted).',
      ],
      ['Teardown', 'FIN / FIN / ACK.'],
    ] as [string, string][],
    labNote:
      'The document’s lab: FMC 10.40.40.1, proxy 10.10.10.1 port 80, server 72.163.4.161 — example data only.',
    captureTitle: 'Live capture and packet list',
  },
  known: {
    title: 'Known issues',
    intro: 'What failure captures show, and what it means.',
    colSigns: 'What the capture shows',
    colMeaning: 'Meaning / likely cause',
    issues: [
      {
        name: 'Proxy ACL restriction',
        signs:
          'Handshake and CONNECT succeed; the proxy answers 403 Forbidden or 502 Bad Gateway (Content-Type: text/html, Connection: close), then closes (FIN exchange).',
        meaning: 'An access list or permission rule on the proxy blocks the traffic.',
      },
      {
        name: 'Download fails: timeout / incomplete transfer',
        signs:
          'Handshake, CONNECT and 200 succeed, TLS starts, the download begins, then stalls: data sent, no response, the connection idles; the FMC closes or retries.',
        meaning:
          'Proxy inspection delay or filtering, a proxy timeout for long transfers, or a proxy file-size limit.',
      },
      {
        name: 'Download fails: MTU',
        signs:
          'Handshake, CONNECT, 200 and the first TLS packets succeed; large packets are fragmented or dropped (e.g. a 1440-byte segment answered by RST). Retransmissions, no TLS/data exchange, FIN or RST instead of progress.',
        meaning:
          'MTU wrong or too small between FMC and proxy or between proxy and internet, often with SSL inspection or fragmentation.',
      },
    ],
    codesTitle: 'HTTP codes seen with curl',
    colCode: 'Code',
    colCodeMeaning: 'Meaning',
    colCause: 'Usual cause',
    codes: [
      ['400', 'Bad Request', 'Malformed request syntax'],
      ['401', 'Unauthorized', 'Missing or wrong credentials'],
      ['403', 'Forbidden', 'Access denied'],
      ['404', 'Not Found', 'Resource not found'],
      [
        '407',
        'Proxy Authentication Required',
        'The proxy wants credentials; Proxy-Authenticate names the scheme (Basic, Digest, NTLM, Negotiate). The FMC does Digest, not NTLM.',
      ],
      ['500', 'Internal Server Error', 'Server error'],
      ['502', 'Bad Gateway', 'Server communication error'],
      ['503', 'Service Unavailable', 'Server overloaded or in maintenance'],
      ['504', 'Gateway Timeout', 'Timeout between servers'],
    ] as [string, string, string][],
    codesNote: 'The document’s table omits 407; a proxy sends it when authentication is required or failed.',
    diagnosisTitle: 'Diagnosis of your capture',
  },
  bundle: {
    title: 'Diagnostic bundle',
    body: 'A bundle (capture, findings, settings without the password) to attach to a support case.',
  },
  packets: {
    title: 'Packets',
    pathLabel: 'Capture file',
    pathPlaceholder: '/path/to/capture.pcapng (on the computer running ProxyScope)',
    open: 'Open',
    opening: 'Opening…',
    none: 'No capture open. Open a pcap or pcapng file: one you took on the FMC with tcpdump, or any other.',
    packets: (n: number) => `${n.toLocaleString()} packets`,
    indexing: 'indexing…',
    stopped: (why: string) => `indexing stopped: ${why}`,
    filterPlaceholder: 'Apply a display filter …  e.g. tcp.port == 3128 || http.request.method == "CONNECT"',
    apply: 'Apply',
    clear: 'Clear',
    displayed: (shown: number, total: number) =>
      `Displayed: ${shown.toLocaleString()} of ${total.toLocaleString()}`,
    detailsTitle: 'Packet details',
    bytesTitle: 'Packet bytes',
    pickPacket: 'Select a packet to see its details.',
    liveTitle: 'Live capture',
  },
  diagnosis: {
    run: 'Diagnose the open capture',
    running: 'Diagnosing…',
    needCapture: 'Open a capture in the Verify step first; the diagnosis reads that file.',
    verdict: 'Verdict',
    conversations: (n: number) => `${n} conversation(s) to the proxy`,
    findings: 'Findings',
    evidence: 'Evidence packets',
    causes: 'Likely causes',
    nextSteps: 'Next steps',
    notDecisive: 'not decisive',
    where: { fmc: 'on the FMC', proxy: 'on the proxy', network: 'in the network', app: 'in ProxyScope' },
  },
  probe: {
    run: 'Probe the proxy',
    running: 'Probing…',
    about: (proxy: string) =>
      `From this computer, through ${proxy}: CONNECT tools.cisco.com:443, proxy authentication, TLS through the tunnel, HEAD, and a full-size request. Run it from a host on the FMC's network path.`,
    noProxy: 'Fill in HTTP Proxy and Port in Setup (Enabled on) to probe.',
    passwordLabel: 'Password for this probe',
    passwordNote: 'Not remembered: used for this probe only.',
    stages: 'Stages',
    colStage: 'Stage',
    colStatus: 'Status',
    colMs: 'ms',
    colDetail: 'Detail',
    findings: 'Findings',
    transcript: 'Transcript (credentials masked)',
  },
  capture: {
    iface: 'Interface',
    filter: 'Capture filter',
    filterDefault: (f: string) => `(default) ${f}`,
    filterAll: 'BPF, e.g. tcp port 3128 (empty: everything)',
    start: 'Start',
    stop: 'Stop',
    stopping: 'Stopping…',
    backend: 'Backend',
    received: 'Received',
    delivered: 'Kept',
    dropped: 'Dropped (kernel / interface / queue)',
    written: 'Written',
    file: 'File',
    unknown: 'unknown',
    about: 'Captures on this computer into a pcapng; when you stop, the packets open above.',
    idle: 'idle',
    running: (iface: string, n: number) => `running on ${iface}: ${n.toLocaleString()} packets`,
    ended: (why: string) => `stopped (${why})`,
  },
  engines: {
    probe: 'probe',
    capture: 'capture',
    store: 'packet store',
    diagnosis: 'diagnosis',
    bundle: 'bundle',
  },
  menu: {
    openCapture: (path: string) => `Open capture: ${path}`,
    about: (version: string) => `ProxyScope ${version}`,
  },
};

type Widen<T> = T extends string
  ? string
  : T extends (...args: infer A) => string
    ? (...args: A) => string
    : T extends readonly (infer U)[]
      ? Widen<U>[]
      : { [K in keyof T]: Widen<T[K]> };

export type Dict = Widen<typeof en>;
