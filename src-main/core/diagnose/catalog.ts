// The known-issue catalog: what each issue id means, why it happens and what to check next, in
// English and Korean. The Korean texts reuse the terms of the Korean edition of Cisco's
// "Troubleshoot proxy on FMC" document (프록시 ACL 제한 사항, 시간 초과/전송 불완전, MTU 문제, ...)
// so an admin reading both sees the same words. The CLI, the UI and the bundle all read this data.
import type { ExpertSeverity } from '../dissect/types.js';
import { KNOWN_ISSUE_IDS, type KnownIssueId } from './issue-ids.js';

export type Lang = 'en' | 'ko';

/** One next step; `command` is copyable text with {proxy}, {port}, {user} placeholders. */
export interface NextStep {
  where: 'fmc' | 'proxy' | 'network' | 'app';
  text: string;
  command?: string;
}

export interface IssueText {
  title: string;
  explanation: string;
  causes: string[];
  nextSteps: NextStep[];
}

export interface KnownIssueInfo {
  id: KnownIssueId;
  severity: ExpertSeverity;
  /** larger = more severe; the verdict picks the largest rank across conversations */
  rank: number;
  en: IssueText;
  ko: IssueText;
}

// The FMC commands of the reference procedure, shared by several issues.
const CMD = {
  conf: 'cat /etc/sf/iprep_proxy.conf',
  netstat: 'netstat -na | grep {proxy}',
  curl: 'curl -x http://{proxy}:{port} -I https://tools.cisco.com',
  curlAuth: 'curl -U {user} -x http://{proxy}:{port} -I https://tools.cisco.com',
  tcpdump: 'tcpdump -i eth0 -s 0 -w /var/common/proxy.pcap host {proxy} and port {port}',
  ping: 'ping -M do -s 1472 -c 3 {proxy}',
  nslookup: 'nslookup {proxy}',
} as const;

const en = {
  curl: 'Repeat the request through the proxy from the FMC (CLI → expert mode); "HTTP/1.1 200 Connection established" means the tunnel works.',
  curlAuth: 'With proxy authentication, send the credentials the FMC uses (curl asks for the password).',
  conf: 'Check the proxy the FMC really uses in /etc/sf/iprep_proxy.conf (PROXY_HOST, PROXY_PORT).',
  netstat: "List the FMC's connections to the proxy (ESTABLISHED means the TCP session is up).",
  tcpdump: 'Capture the traffic to the proxy on the FMC and open it in ProxyScope.',
};
const ko = {
  curl: 'FMC CLI의 expert 모드에서 프록시를 통해 요청을 다시 보냅니다. "HTTP/1.1 200 Connection established"(HTTP/1.1 200 연결 설정)가 수신되면 FMC가 프록시를 통해 트래픽을 성공적으로 전송 및 수신하고 있음을 나타냅니다.',
  curlAuth:
    '프록시 인증을 사용하는 경우 FMC가 사용하는 자격 증명으로 인증 및 프록시 응답을 확인합니다(curl이 비밀번호를 묻습니다).',
  conf: '/etc/sf/iprep_proxy.conf를 확인하여 FMC가 실제로 사용하는 프록시 설정(PROXY_HOST, PROXY_PORT)이 올바른지 확인합니다.',
  netstat:
    '활성 연결을 확인하여 FMC의 활성 프록시 연결을 확인합니다(ESTABLISHED는 TCP 세션이 설정되었음을 의미합니다).',
  tcpdump: 'FMC에서 프록시로 가는 트래픽의 패킷 캡처(tcpdump)를 수행하고 ProxyScope에서 엽니다.',
};

export const KNOWN_ISSUES: Record<KnownIssueId, KnownIssueInfo> = {
  ok: {
    id: 'ok',
    severity: 'chat',
    rank: 0,
    en: {
      title: 'The proxy path works',
      explanation:
        'TCP handshake, CONNECT, "200 Connection established", the TLS handshake through the tunnel and the data exchange all completed, then the connection closed normally (FIN). This is the expected flow through an explicit proxy.',
      causes: [],
      nextSteps: [{ where: 'fmc', text: en.curl, command: CMD.curl }],
    },
    ko: {
      title: '프록시를 통한 연결 설정 성공',
      explanation:
        'TCP 핸드셰이크, CONNECT 요청, "200 Connection established"(연결 설정), 터널을 통한 TLS 핸드셰이크와 데이터 교환이 모두 완료되고 TCP 연결이 정상적으로 종료되었습니다(FIN). 이는 명시적 프록시를 통한 HTTPS 요청의 예상 플로우입니다.',
      causes: [],
      nextSteps: [{ where: 'fmc', text: ko.curl, command: CMD.curl }],
    },
  },
  'proxy-dns-failure': {
    id: 'proxy-dns-failure',
    severity: 'error',
    rank: 100,
    en: {
      title: 'The proxy name does not resolve',
      explanation:
        'The proxy is configured by name (FQDN) and the name lookup failed or got no answer, so no connection to the proxy could even start.',
      causes: [
        'A typo in the HTTP Proxy field (FQDN) of the FMC proxy settings',
        "The FMC's DNS servers are unreachable or do not know the name",
        'With Smart Licensing the proxy FQDN is longer than 64 characters',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: 'Resolve the proxy name on the FMC (CLI → expert mode).',
          command: CMD.nslookup,
        },
        { where: 'fmc', text: en.conf, command: CMD.conf },
        {
          where: 'fmc',
          text: "Check the DNS servers under System → Configuration → Management Interfaces, or enter the proxy's IP address instead.",
        },
      ],
    },
    ko: {
      title: '프록시 이름을 확인할 수 없음(DNS)',
      explanation:
        '프록시가 정규화된 도메인 이름(FQDN)으로 구성되어 있으며 이름 조회가 실패했거나 응답이 없어 프록시에 대한 연결을 시작할 수 없습니다.',
      causes: [
        'FMC 프록시 설정의 HTTP 프록시 필드(FQDN) 오타',
        'FMC의 DNS 서버에 연결할 수 없거나 이름을 모름',
        'Smart Licensing을 사용하는 경우 프록시 FQDN이 64자를 초과함',
      ],
      nextSteps: [
        { where: 'fmc', text: 'FMC CLI의 expert 모드에서 프록시 이름을 조회합니다.', command: CMD.nslookup },
        { where: 'fmc', text: ko.conf, command: CMD.conf },
        {
          where: 'fmc',
          text: 'System(시스템) > Configuration(컨피그레이션) > Management Interfaces(관리 인터페이스)에서 DNS 서버를 확인하거나 프록시 서버의 IP 주소를 입력합니다.',
        },
      ],
    },
  },
  'proxy-unreachable': {
    id: 'proxy-unreachable',
    severity: 'error',
    rank: 95,
    en: {
      title: 'The proxy does not accept the TCP connection',
      explanation:
        "The TCP handshake to the proxy port did not complete: the SYN got no answer, or the proxy (or something on the path) answered with RST (connection refused). Nothing reached the proxy's HTTP layer.",
      causes: [
        'Wrong proxy address or port in the FMC settings',
        'The proxy service is down or listens on another port',
        'A firewall between the FMC and the proxy drops or rejects TCP to the proxy port',
        'No route from the FMC management interface to the proxy',
      ],
      nextSteps: [
        { where: 'fmc', text: en.conf, command: CMD.conf },
        { where: 'fmc', text: en.netstat, command: CMD.netstat },
        { where: 'fmc', text: en.curl, command: CMD.curl },
        {
          where: 'proxy',
          text: "Check that the proxy listens on that port and that its host firewall allows the FMC's address.",
        },
        {
          where: 'network',
          text: 'Check the routes and firewall rules between the FMC management interface and the proxy.',
        },
      ],
    },
    ko: {
      title: '프록시가 TCP 연결을 수락하지 않음',
      explanation:
        '프록시 포트에 대한 TCP 핸드셰이크(SYN, SYN-ACK, ACK)가 완료되지 않았습니다. SYN에 대한 응답이 없거나 프록시(또는 경로상의 장비)가 RST로 응답했습니다(연결 거부). 요청이 프록시의 HTTP 계층에 도달하지 않았습니다.',
      causes: [
        'FMC 설정의 프록시 주소 또는 포트가 잘못됨',
        '프록시 서비스가 중지되었거나 다른 포트에서 수신 대기 중',
        'FMC와 프록시 사이의 방화벽이 프록시 포트로 가는 TCP를 차단하거나 거부함',
        'FMC 관리 인터페이스에서 프록시로 가는 경로가 없음',
      ],
      nextSteps: [
        { where: 'fmc', text: ko.conf, command: CMD.conf },
        { where: 'fmc', text: ko.netstat, command: CMD.netstat },
        { where: 'fmc', text: ko.curl, command: CMD.curl },
        {
          where: 'proxy',
          text: '프록시가 해당 포트에서 수신 대기 중인지, 호스트 방화벽이 FMC 주소를 허용하는지 확인합니다.',
        },
        { where: 'network', text: 'FMC 관리 인터페이스와 프록시 사이의 라우팅 및 방화벽 규칙을 확인합니다.' },
      ],
    },
  },
  'proxy-denied': {
    id: 'proxy-denied',
    severity: 'error',
    rank: 90,
    en: {
      title: 'Proxy ACL restriction: the proxy refused the tunnel',
      explanation:
        'The TCP handshake and the CONNECT request succeeded, but instead of "200 Connection established" the proxy answered with an error such as 403 Forbidden (or 502 Bad Gateway carrying a policy marker such as X-Squid-Error: ERR_ACCESS_DENIED) and closed the connection. An access list or permission rule on the proxy blocks this traffic.',
      causes: [
        "An access list (ACL) on the proxy does not allow the FMC's address",
        'The proxy does not allow CONNECT to this destination or port (e.g. only 443 is allowed)',
        'A URL/category filter on the proxy blocks the destination (tools.cisco.com and the other Cisco cloud services)',
      ],
      nextSteps: [
        { where: 'fmc', text: en.curl, command: CMD.curl },
        {
          where: 'proxy',
          text: "Check the proxy's access lists and its access log for the FMC's address and the CONNECT destination; allow CONNECT from the FMC to the Cisco cloud services on port 443.",
        },
        { where: 'fmc', text: en.tcpdump, command: CMD.tcpdump },
      ],
    },
    ko: {
      title: '프록시 ACL 제한 사항: 프록시가 터널을 거부함',
      explanation:
        'TCP 핸드셰이크 및 HTTP CONNECT 요청은 성공했지만 프록시가 터널을 허용하는 대신 403 Forbidden(금지됨) 또는 정책 표시(예: X-Squid-Error: ERR_ACCESS_DENIED)가 있는 502 Bad Gateway(잘못된 게이트웨이)와 같은 오류로 응답한 후 연결을 닫았습니다. 이는 일반적으로 프록시에 트래픽 통과를 방해하는 ACL 또는 권한 제한이 있음을 나타냅니다.',
      causes: [
        '프록시의 ACL(Access List)이 FMC 주소를 허용하지 않음',
        '프록시가 이 대상 또는 포트에 대한 CONNECT를 허용하지 않음(예: 443만 허용)',
        '프록시의 URL/카테고리 필터가 대상(tools.cisco.com 및 기타 Cisco 클라우드 서비스)을 차단함',
      ],
      nextSteps: [
        { where: 'fmc', text: ko.curl, command: CMD.curl },
        {
          where: 'proxy',
          text: '프록시의 액세스 목록과 액세스 로그에서 FMC 주소와 CONNECT 대상을 확인하고, FMC에서 포트 443의 Cisco 클라우드 서비스로의 CONNECT를 허용합니다.',
        },
        { where: 'fmc', text: ko.tcpdump, command: CMD.tcpdump },
      ],
    },
  },
  'proxy-upstream-failure': {
    id: 'proxy-upstream-failure',
    severity: 'error',
    rank: 80,
    en: {
      title: 'The proxy could not reach the destination',
      explanation:
        'The proxy accepted the CONNECT request but answered with a 5xx error itself (502 Bad Gateway, 503 Service Unavailable, 504 Gateway Timeout, ...): it could not resolve or reach the destination server, or it is overloaded. The FMC side of the path works.',
      causes: [
        'The proxy cannot resolve the destination name (its DNS)',
        'The proxy has no route or is blocked by its own upstream firewall towards the internet',
        'Timeout between the proxy and the destination server (504)',
        'The proxy is overloaded or in maintenance (503)',
      ],
      nextSteps: [
        { where: 'fmc', text: en.curl, command: CMD.curl },
        {
          where: 'proxy',
          text: "From the proxy host, resolve and connect to the destination (e.g. tools.cisco.com:443); check the proxy's error and cache logs and its upstream (parent proxy, firewall).",
        },
      ],
    },
    ko: {
      title: '프록시가 대상 서버에 연결할 수 없음',
      explanation:
        '프록시가 CONNECT 요청을 받았지만 직접 5xx 오류(502 잘못된 게이트웨이, 503 서비스를 사용할 수 없음, 504 게이트웨이 시간 초과 등)로 응답했습니다. 프록시가 대상 서버의 이름을 확인하거나 연결할 수 없거나 과부하 상태입니다. FMC와 프록시 사이 구간은 정상입니다.',
      causes: [
        '프록시가 대상 이름을 확인할 수 없음(프록시의 DNS)',
        '프록시에서 인터넷으로 가는 경로가 없거나 상위 방화벽이 차단함',
        '프록시와 대상 서버 간 시간 초과(504, 서버 간 시간 초과)',
        '프록시 서버 오버로드 또는 유지 보수(503)',
      ],
      nextSteps: [
        { where: 'fmc', text: ko.curl, command: CMD.curl },
        {
          where: 'proxy',
          text: '프록시 호스트에서 대상(예: tools.cisco.com:443)의 이름 확인과 연결을 시험하고, 프록시의 오류 로그와 상위 프록시/방화벽을 확인합니다.',
        },
      ],
    },
  },
  'proxy-auth-required': {
    id: 'proxy-auth-required',
    severity: 'error',
    rank: 85,
    en: {
      title: 'The proxy requires authentication and none was sent',
      explanation:
        'The proxy answered the CONNECT request with 407 Proxy Authentication Required and the client never retried with credentials (no Proxy-Authorization header).',
      causes: [
        '"Use Proxy Authentication" is not enabled in the FMC proxy settings',
        'The user name or password field is empty',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: 'Enable "Use Proxy Authentication" under System → Configuration → Management Interfaces → Proxy and enter the user name and password.',
        },
        { where: 'fmc', text: en.curlAuth, command: CMD.curlAuth },
        {
          where: 'proxy',
          text: 'Check which authentication schemes the proxy offers (Basic or Digest work; NTLM does not).',
        },
      ],
    },
    ko: {
      title: '프록시 인증이 필요하지만 자격 증명이 전송되지 않음',
      explanation:
        '프록시가 CONNECT 요청에 407 Proxy Authentication Required(프록시 인증 필요)로 응답했으며 클라이언트가 자격 증명(Proxy-Authorization 헤더)으로 다시 요청하지 않았습니다.',
      causes: [
        'FMC 프록시 설정에서 Use Proxy Authentication(프록시 인증 사용)이 선택되지 않음',
        '사용자 이름 또는 비밀번호가 비어 있음',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: 'System(시스템) > Configuration(컨피그레이션) > Management Interfaces(관리 인터페이스) > Proxy(프록시)에서 Use Proxy Authentication(프록시 인증 사용)을 선택하고 사용자 이름과 비밀번호를 입력합니다.',
        },
        { where: 'fmc', text: ko.curlAuth, command: CMD.curlAuth },
        {
          where: 'proxy',
          text: '프록시가 제공하는 인증 방식을 확인합니다(Basic 또는 다이제스트는 가능, NTLM은 지원되지 않음).',
        },
      ],
    },
  },
  'proxy-auth-failed': {
    id: 'proxy-auth-failed',
    severity: 'error',
    rank: 86,
    en: {
      title: 'The proxy rejected the credentials',
      explanation:
        'The client sent Proxy-Authorization with its CONNECT request and the proxy still answered 407 Proxy Authentication Required: the user name or password is wrong, the account is locked, or the scheme does not match.',
      causes: [
        'Wrong user name or password in the FMC proxy settings',
        'The password contains characters the FMC does not accept (allowed: A–Z, a–z, 0–9 and special characters)',
        "The account is locked or expired on the proxy's user directory",
        'The proxy expects Digest and the client answered Basic (or the realm differs)',
      ],
      nextSteps: [
        { where: 'fmc', text: en.curlAuth, command: CMD.curlAuth },
        {
          where: 'fmc',
          text: 'Re-enter the user name and password under System → Configuration → Management Interfaces → Proxy.',
        },
        {
          where: 'proxy',
          text: "Check the proxy's authentication log for this user and the reason it was refused.",
        },
      ],
    },
    ko: {
      title: '프록시가 자격 증명을 거부함',
      explanation:
        '클라이언트가 CONNECT 요청에 Proxy-Authorization을 보냈지만 프록시가 여전히 407 Proxy Authentication Required로 응답했습니다. 사용자 이름 또는 비밀번호가 잘못되었거나 계정이 잠겼거나 인증 방식이 맞지 않습니다.',
      causes: [
        'FMC 프록시 설정의 사용자 이름 또는 비밀번호 오류(자격 증명 누락 또는 오류)',
        '비밀번호에 FMC가 허용하지 않는 문자가 있음(A-Z, a-z, 0-9 및 특수 문자 사용 가능)',
        '프록시 사용자 디렉터리에서 계정이 잠겼거나 만료됨',
        '프록시는 다이제스트를 요구하는데 클라이언트가 Basic으로 응답함(또는 realm 불일치)',
      ],
      nextSteps: [
        { where: 'fmc', text: ko.curlAuth, command: CMD.curlAuth },
        {
          where: 'fmc',
          text: 'System(시스템) > Configuration(컨피그레이션) > Management Interfaces(관리 인터페이스) > Proxy(프록시)에서 사용자 이름과 비밀번호를 다시 입력합니다.',
        },
        { where: 'proxy', text: '프록시의 인증 로그에서 이 사용자가 거부된 이유를 확인합니다.' },
      ],
    },
  },
  'proxy-auth-unsupported': {
    id: 'proxy-auth-unsupported',
    severity: 'error',
    rank: 88,
    en: {
      title: 'The proxy only offers NTLM/Negotiate, which the FMC cannot use',
      explanation:
        'The proxy answered 407 and its Proxy-Authenticate challenges offer only NTLM and/or Negotiate (Kerberos). The FMC supports Basic and HTTP Digest proxy authentication only; proxies that use NTLM (NT LAN Manager) authentication are not supported.',
      causes: ['The proxy is set to Windows integrated authentication only (NTLM/Kerberos)'],
      nextSteps: [
        {
          where: 'proxy',
          text: "Enable Basic or Digest authentication on the proxy for the FMC, or exempt the FMC's address from authentication.",
        },
        { where: 'fmc', text: en.curlAuth, command: CMD.curlAuth },
      ],
    },
    ko: {
      title: '프록시가 NTLM/Negotiate만 제공함(FMC에서 지원되지 않음)',
      explanation:
        '프록시가 407로 응답했으며 Proxy-Authenticate 헤더가 NTLM 및/또는 Negotiate(Kerberos)만 제공합니다. FMC는 Basic 및 HTTP 다이제스트 프록시 인증만 사용할 수 있으며 NTLM(NT LAN Manager) 인증을 사용하는 프록시는 지원되지 않습니다.',
      causes: ['프록시가 Windows 통합 인증(NTLM/Kerberos)만 사용하도록 설정됨'],
      nextSteps: [
        {
          where: 'proxy',
          text: '프록시에서 FMC용 Basic 또는 다이제스트 인증을 활성화하거나 FMC 주소를 인증에서 제외합니다.',
        },
        { where: 'fmc', text: ko.curlAuth, command: CMD.curlAuth },
      ],
    },
  },
  'tls-intercepted': {
    id: 'tls-intercepted',
    severity: 'warn',
    rank: 60,
    en: {
      title: 'The proxy intercepts TLS (certificate from a private CA)',
      explanation:
        "The certificate chain received through the tunnel is not issued by a public root CA or by the expected issuer: the proxy (SSL inspection) re-signs the server's certificate with its own CA. The FMC does not trust that CA, so its connections to the Cisco cloud fail certificate validation.",
      causes: ['SSL/TLS inspection (decryption) is enabled on the proxy for this destination'],
      nextSteps: [
        {
          where: 'proxy',
          text: "Exempt the FMC's address or the Cisco cloud destinations (tools.cisco.com and the others) from SSL inspection.",
        },
        {
          where: 'fmc',
          text: 'Look at the issuer in the verbose output of the request through the proxy.',
          command: 'curl -v -x http://{proxy}:{port} -I https://tools.cisco.com',
        },
      ],
    },
    ko: {
      title: '프록시가 TLS를 가로챔(사설 CA가 발급한 인증서)',
      explanation:
        '터널을 통해 받은 인증서 체인이 공개 루트 CA나 예상 발급자가 아닌 CA에서 발급되었습니다. 프록시(SSL 검사)가 서버 인증서를 자체 CA로 다시 서명합니다. FMC는 이 CA를 신뢰하지 않으므로 Cisco 클라우드 연결의 인증서 검증이 실패합니다.',
      causes: ['프록시에서 이 대상에 대해 SSL/TLS 검사(암호 해독)가 활성화됨'],
      nextSteps: [
        {
          where: 'proxy',
          text: 'FMC 주소 또는 Cisco 클라우드 대상(tools.cisco.com 등)을 SSL 검사에서 제외합니다.',
        },
        {
          where: 'fmc',
          text: '프록시를 통한 요청의 자세한 출력에서 발급자를 확인합니다.',
          command: 'curl -v -x http://{proxy}:{port} -I https://tools.cisco.com',
        },
      ],
    },
  },
  'tls-handshake-failed': {
    id: 'tls-handshake-failed',
    severity: 'error',
    rank: 70,
    en: {
      title: 'The TLS handshake through the tunnel failed',
      explanation:
        'The proxy established the tunnel ("200 Connection established"), but the TLS handshake with the server did not complete: a TLS alert, or a FIN or RST arrived before the handshake finished.',
      causes: [
        "The proxy or a device behind it inspects TLS and rejects the client's offer",
        'No common TLS version or cipher suite with the server',
        'The server (or inspection device) rejected the SNI',
        'A certificate problem reported by an alert (unknown CA, bad certificate)',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: 'Repeat the request with verbose output to see the TLS alert.',
          command: 'curl -v -x http://{proxy}:{port} -I https://tools.cisco.com',
        },
        { where: 'proxy', text: "Check the proxy's SSL inspection and TLS policy for this destination." },
        { where: 'fmc', text: en.tcpdump, command: CMD.tcpdump },
      ],
    },
    ko: {
      title: '터널을 통한 TLS 핸드셰이크 실패',
      explanation:
        '프록시가 터널을 설정했지만("200 Connection established") 서버와의 SSL/TLS 핸드셰이크가 완료되지 않았습니다. 핸드셰이크가 끝나기 전에 TLS 경고(alert), FIN 또는 RST가 수신되었습니다.',
      causes: [
        '프록시 또는 그 뒤의 장비가 TLS를 검사하며 클라이언트의 제안을 거부함',
        '서버와 공통 TLS 버전 또는 암호 그룹이 없음',
        '서버(또는 검사 장비)가 SNI를 거부함',
        '경고(alert)로 보고된 인증서 문제(알 수 없는 CA, 잘못된 인증서)',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: '자세한 출력으로 요청을 반복하여 TLS 경고를 확인합니다.',
          command: 'curl -v -x http://{proxy}:{port} -I https://tools.cisco.com',
        },
        { where: 'proxy', text: '이 대상에 대한 프록시의 SSL 검사 및 TLS 정책을 확인합니다.' },
        { where: 'fmc', text: ko.tcpdump, command: CMD.tcpdump },
      ],
    },
  },
  'transfer-stalled': {
    id: 'transfer-stalled',
    severity: 'error',
    rank: 65,
    en: {
      title: 'Download fails: timeout / incomplete transfer',
      explanation:
        'The handshake, CONNECT and "200" succeeded and TLS started, but then the transfer stopped: the connection went idle after data, the window closed (zero window), or the proxy closed or reset the connection in the middle of the transfer. The download times out or stays incomplete.',
      causes: [
        'Proxy inspection delay or filtering',
        'A proxy time limit for long transfers',
        'A file-size limit on the proxy',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: 'Repeat a download through the proxy and watch whether it stops at the same size or after the same time.',
          command: 'curl -x http://{proxy}:{port} -o /dev/null https://tools.cisco.com',
        },
        {
          where: 'proxy',
          text: "Check the proxy's timeouts (idle/read), its maximum reply/file size and its content-inspection settings for the FMC's downloads.",
        },
        { where: 'fmc', text: en.tcpdump, command: CMD.tcpdump },
      ],
    },
    ko: {
      title: '프록시 파일 다운로드 실패(시간 초과/전송 불완전)',
      explanation:
        'TCP 핸드셰이크, CONNECT 및 "200"이 성공하고 TLS가 시작되었지만 다운로드가 중단되었습니다. 데이터 전송 후 연결이 유휴 상태로 유지되거나, 수신 창이 0이 되거나(zero window), 전송 도중 프록시가 연결을 닫거나 재설정했습니다. 다운로드 시간이 초과되거나 완료되지 않습니다.',
      causes: [
        '프록시 검사 지연 또는 필터링',
        '긴 전송에 대한 프록시 시간 제한',
        '프록시에서 지정한 파일 크기 제한',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: '프록시를 통해 다운로드를 반복하고 같은 크기 또는 같은 시간 후에 중단되는지 확인합니다.',
          command: 'curl -x http://{proxy}:{port} -o /dev/null https://tools.cisco.com',
        },
        {
          where: 'proxy',
          text: '프록시의 시간 제한(유휴/읽기), 최대 응답/파일 크기 및 FMC 다운로드에 대한 콘텐츠 검사 설정을 확인합니다.',
        },
        { where: 'fmc', text: ko.tcpdump, command: CMD.tcpdump },
      ],
    },
  },
  'mtu-blackhole': {
    id: 'mtu-blackhole',
    severity: 'error',
    rank: 75,
    en: {
      title: 'Download fails: MTU problem (large packets dropped)',
      explanation:
        'The handshake, CONNECT, "200" and the first small packets got through, but full-size packets were dropped on the path: they are retransmitted and never acknowledged (or answered by a RST, or an ICMP "fragmentation needed" comes back) while small packets still pass, so the TLS handshake or the download breaks.',
      causes: [
        'The MTU is set wrong or too small between the FMC and the proxy, or between the proxy and the internet',
        'A device on the path drops ICMP "fragmentation needed", so path-MTU discovery cannot work',
        'A tunnel (VPN, GRE) on the path lowers the MTU without clamping the TCP MSS',
        'SSL inspection or fragmentation handling on the proxy',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: 'Send full-size packets that must not be fragmented to the proxy; if 1472-byte pings fail while small ones pass, the path MTU is below 1500.',
          command: CMD.ping,
        },
        {
          where: 'network',
          text: 'Find the link with the smaller MTU; allow ICMP type 3 code 4 (fragmentation needed) through the firewalls, or clamp the TCP MSS on the router/firewall to the path MTU.',
        },
        {
          where: 'fmc',
          text: 'Check the management interface MTU under System → Configuration → Management Interfaces.',
        },
        { where: 'fmc', text: en.tcpdump, command: CMD.tcpdump },
      ],
    },
    ko: {
      title: '프록시 파일 다운로드 실패(MTU 문제)',
      explanation:
        'TCP 핸드셰이크, CONNECT, "200" 및 초기 작은 패킷은 교환되었지만 경로에서 대용량 패킷이 삭제되었습니다. 대용량 패킷이 재전송되지만 승인(ACK)되지 않거나, RST로 응답되거나, ICMP "fragmentation needed"가 돌아오는 반면 작은 패킷은 계속 통과하므로 TLS 핸드셰이크가 중단되거나 파일 다운로드가 실패합니다.',
      causes: [
        'FMC와 프록시 간(또는 프록시와 인터넷 간) MTU가 잘못 설정되었거나 너무 작음',
        '경로상의 장비가 ICMP "fragmentation needed"를 차단하여 경로 MTU 검색이 동작하지 않음',
        '경로상의 터널(VPN, GRE)이 TCP MSS 조정 없이 MTU를 낮춤',
        '프록시의 SSL 검사 또는 패킷 조각화 처리',
      ],
      nextSteps: [
        {
          where: 'fmc',
          text: '조각화 금지(DF) 대용량 패킷을 프록시로 보냅니다. 1472바이트 ping은 실패하고 작은 ping은 통과하면 경로 MTU가 1500보다 작습니다.',
          command: CMD.ping,
        },
        {
          where: 'network',
          text: 'MTU가 작은 링크를 찾아 방화벽에서 ICMP 유형 3 코드 4(fragmentation needed)를 허용하거나 라우터/방화벽에서 TCP MSS를 경로 MTU에 맞게 조정합니다.',
        },
        {
          where: 'fmc',
          text: 'System(시스템) > Configuration(컨피그레이션) > Management Interfaces(관리 인터페이스)에서 관리 인터페이스 MTU를 확인합니다.',
        },
        { where: 'fmc', text: ko.tcpdump, command: CMD.tcpdump },
      ],
    },
  },
  'origin-http-error': {
    id: 'origin-http-error',
    severity: 'warn',
    rank: 40,
    en: {
      title: 'The tunnel works; the destination server answered with an HTTP error',
      explanation:
        "The proxy path is fine (CONNECT, 200, TLS all succeeded), but the server answered the request inside the tunnel with a 4xx/5xx status. Only the probe can see this: TLS hides the server's answer from a packet capture.",
      causes: [
        'The requested URL does not exist on the server (404)',
        'The server refuses the request (401/403) or has a problem of its own (5xx)',
      ],
      nextSteps: [
        { where: 'fmc', text: en.curl, command: CMD.curl },
        { where: 'app', text: 'Try another URL on the same server; the proxy itself is not the cause.' },
      ],
    },
    ko: {
      title: '터널은 정상이며 대상 서버가 HTTP 오류로 응답함',
      explanation:
        '프록시 경로는 정상(CONNECT, 200, TLS 모두 성공)이지만 서버가 터널 안의 요청에 4xx/5xx 상태로 응답했습니다. 이 응답은 암호화된 TLS 세션 내에서 발생하므로 패킷 캡처에서는 직접 표시되지 않고 프로브만 확인할 수 있습니다.',
      causes: [
        '요청한 URL이 서버에 없음(404, 리소스를 찾을 수 없음)',
        '서버가 요청을 거부하거나(401/403) 서버 자체 오류(5xx)',
      ],
      nextSteps: [
        { where: 'fmc', text: ko.curl, command: CMD.curl },
        { where: 'app', text: '같은 서버의 다른 URL로 시험합니다. 프록시 자체는 원인이 아닙니다.' },
      ],
    },
  },
  'config-mismatch': {
    id: 'config-mismatch',
    severity: 'warn',
    rank: 50,
    en: {
      title: 'The FMC uses a different proxy than the settings say',
      explanation:
        'The proxy in /etc/sf/iprep_proxy.conf, or the destination the traffic really goes to, differs from the proxy settings entered here. The FMC may be using a stale configuration, or the capture shows traffic to another proxy.',
      causes: [
        'The proxy settings were changed in the GUI but not saved or not yet deployed',
        'A typo in the HTTP Proxy or Port field',
        'Another proxy (e.g. a transparent one) sits on the path',
      ],
      nextSteps: [
        { where: 'fmc', text: en.conf, command: CMD.conf },
        { where: 'fmc', text: en.netstat, command: CMD.netstat },
        {
          where: 'fmc',
          text: 'Compare with System → Configuration → Management Interfaces → Proxy and save again.',
        },
      ],
    },
    ko: {
      title: 'FMC가 설정과 다른 프록시를 사용함',
      explanation:
        '/etc/sf/iprep_proxy.conf의 프록시 또는 트래픽이 실제로 향하는 대상이 여기에 입력한 프록시 설정과 다릅니다. FMC가 이전 컨피그레이션을 사용하고 있거나 캡처에 다른 프록시로 가는 트래픽이 있습니다.',
      causes: [
        'GUI에서 프록시 설정을 변경했지만 저장하지 않음',
        'HTTP 프록시 또는 포트 필드의 오타',
        '경로에 다른 프록시(예: 투명 프록시)가 있음',
      ],
      nextSteps: [
        { where: 'fmc', text: ko.conf, command: CMD.conf },
        { where: 'fmc', text: ko.netstat, command: CMD.netstat },
        {
          where: 'fmc',
          text: 'System(시스템) > Configuration(컨피그레이션) > Management Interfaces(관리 인터페이스) > Proxy(프록시)와 비교한 후 다시 저장합니다.',
        },
      ],
    },
  },
};

/** The catalog entry of an issue in one language, with the user's values put into the commands. */
export function issueText(
  id: KnownIssueId,
  lang: Lang = 'en',
  values: { proxy?: string; port?: number | string; user?: string } = {},
): IssueText & { id: KnownIssueId; severity: ExpertSeverity } {
  const info = KNOWN_ISSUES[id];
  const t = info[lang];
  const fill = (s: string) =>
    s
      .replaceAll('{proxy}', values.proxy ?? 'PROXY')
      .replaceAll('{port}', String(values.port ?? 'PORT'))
      .replaceAll('{user}', values.user ?? 'USER');
  return {
    id,
    severity: info.severity,
    title: t.title,
    explanation: t.explanation,
    causes: [...t.causes],
    nextSteps: t.nextSteps.map((s) => (s.command ? { ...s, command: fill(s.command) } : { ...s })),
  };
}

export function issueRank(id: KnownIssueId): number {
  return KNOWN_ISSUES[id].rank;
}

/** Every id has an entry (checked at load so a new id without texts fails loudly in tests). */
for (const id of KNOWN_ISSUE_IDS) {
  if (!KNOWN_ISSUES[id]) throw new Error(`diagnose/catalog: no catalog entry for known issue "${id}"`);
}

// --- HTTP status codes (the document's table, plus 407 which a proxy also answers) ---

export interface HttpCodeInfo {
  code: number;
  en: { meaning: string; cause: string };
  ko: { meaning: string; cause: string };
}

export const HTTP_CODES: readonly HttpCodeInfo[] = [
  {
    code: 400,
    en: { meaning: 'Bad Request', cause: 'malformed request syntax' },
    ko: { meaning: '잘못된 요청', cause: '잘못된 요청 구문' },
  },
  {
    code: 401,
    en: { meaning: 'Unauthorized', cause: 'missing or wrong credentials' },
    ko: { meaning: '인증되지 않음', cause: '자격 증명 누락 또는 오류' },
  },
  {
    code: 403,
    en: { meaning: 'Forbidden', cause: 'access denied' },
    ko: { meaning: '금지됨', cause: '액세스 거부됨' },
  },
  {
    code: 404,
    en: { meaning: 'Not Found', cause: 'resource not found' },
    ko: { meaning: '찾을 수 없음', cause: '리소스를 찾을 수 없음' },
  },
  {
    code: 407,
    en: {
      meaning: 'Proxy Authentication Required',
      cause: 'missing or wrong proxy credentials (Proxy-Authenticate names Basic, Digest, NTLM or Negotiate)',
    },
    ko: {
      meaning: '프록시 인증 필요',
      cause: '프록시 자격 증명 누락 또는 오류(Proxy-Authenticate에 Basic, Digest, NTLM 또는 Negotiate 표시)',
    },
  },
  {
    code: 500,
    en: { meaning: 'Internal Server Error', cause: 'server error' },
    ko: { meaning: '내부 오류', cause: '서버 오류' },
  },
  {
    code: 502,
    en: { meaning: 'Bad Gateway', cause: 'server communication error' },
    ko: { meaning: '잘못된 게이트웨이', cause: '서버 통신 오류' },
  },
  {
    code: 503,
    en: { meaning: 'Service Unavailable', cause: 'server overloaded or in maintenance' },
    ko: { meaning: '서비스를 사용할 수 없음', cause: '서버 오버로드 또는 유지 보수' },
  },
  {
    code: 504,
    en: { meaning: 'Gateway Timeout', cause: 'timeout between servers' },
    ko: { meaning: '게이트웨이 시간 초과', cause: '서버 간 시간 초과' },
  },
];

export function httpCodeInfo(code: number): HttpCodeInfo | undefined {
  return HTTP_CODES.find((c) => c.code === code);
}

/** "403 Forbidden (access denied)" / "403 금지됨 (액세스 거부됨)"; unknown codes get their class. */
export function describeHttpCode(code: number, lang: Lang = 'en'): string {
  const info = httpCodeInfo(code);
  if (info) return `${code} ${info[lang].meaning} (${info[lang].cause})`;
  const cls = Math.floor(code / 100);
  const generic: Record<number, [string, string]> = {
    1: ['informational', '정보'],
    2: ['success', '성공'],
    3: ['redirection', '리디렉션'],
    4: ['client error', '클라이언트 오류'],
    5: ['server error', '서버 오류'],
  };
  const g = generic[cls];
  return g ? `${code} (${lang === 'en' ? g[0] : g[1]})` : String(code);
}
