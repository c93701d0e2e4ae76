// `proxyscope probe`: probe a proxy as the FMC uses it and name the known issue.
import { forEachOption, positiveNumber, readOptionFile, asUsage, unknownOption } from '../options.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import {
  runProbe,
  parseHostPort as parseHostPortText,
  DEFAULT_TARGET,
  type HostPort,
  type ProbeOptions,
  type ProbeResult,
} from '../../core/probe/index.js';
import {
  compareConfWithSettings,
  fmcCommands,
  formatIprepProblems,
  parseIprepProxyConf,
} from '../../core/fmc/index.js';
import { attachCapture, type CaptureAttachment } from '../../core/probe/with-capture.js';
import { issueText, type Lang } from '../../core/diagnose/catalog.js';

const usage = `Usage: proxyscope probe --proxy HOST:PORT [options]

Connects to the proxy like the FMC does (CONNECT, proxy authentication, TLS through the tunnel,
HEAD /, an optional download, a full-size-segment test), times every step and names the known issue.

Options:
  --proxy HOST:PORT      the proxy (IP or FQDN; IPv6 as [addr]:port)
  --user U               proxy user name
  --password-env VAR     read the proxy password from environment variable VAR (never a flag)
  --auth basic|digest    answer 407 only with this scheme (default: Digest if offered, else Basic)
  --target HOST:PORT     what to reach through the proxy (default ${DEFAULT_TARGET.host}:${DEFAULT_TARGET.port})
  --ca FILE              also trust this CA (PEM), e.g. the lab CA or the proxy's inspection CA
  --download URL         https URL to download through the proxy (throughput, stall detection)
  --stall-seconds N      idle seconds that count as a stalled download (default 10)
  --timeout S            seconds to wait for each answer (default 15)
  --no-large-request     skip the full-size-segment CONNECT test
  --fmc-conf FILE        a copy of the FMC's /etc/sf/iprep_proxy.conf, compared with --proxy
  --capture IFACE        capture on IFACE during the probe and check the packets too
  --write FILE.pcapng    where --capture saves the packets (default: a new file in the temp folder)
  --lang en|ko           language of the stages, verdict, findings and next steps (default en)
  --json                 print the result as JSON
  -v, --verbose          also print the curl -v style transcript

Exit status: 0 the proxy works, 2 a known issue was found, 1 bad usage.`;

export interface ProbeArgs {
  options: ProbeOptions;
  json: boolean;
  verbose: boolean;
  capture?: string;
  captureFile?: string;
  fmcConf?: string;
  lang: Lang;
}

/** HOST:PORT given to `flag`; a bad one is a UsageError naming the flag. */
export function parseHostPort(flag: string, v: string): HostPort {
  return asUsage(() => parseHostPortText(v, flag));
}

export function parseProbeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ProbeArgs {
  const options: Partial<ProbeOptions> = {};
  let json = false;
  let verbose = false;
  let user: string | undefined;
  let passwordEnv: string | undefined;
  let capture: string | undefined;
  let fmcConf: string | undefined;
  let lang: Lang = 'en';
  let captureFile: string | undefined;
  forEachOption(
    args,
    ({ flag, value }) => {
      switch (flag) {
        case '--proxy':
          options.proxy = parseHostPort(flag, value());
          break;
        case '--target':
          options.target = parseHostPort(flag, value());
          break;
        case '--user':
          user = value();
          break;
        case '--password':
          throw new UsageError(
            'a password on the command line ends up in shell history and process lists: put it in an environment variable and give --password-env VAR.',
          );
        case '--password-env':
          passwordEnv = value();
          break;
        case '--auth': {
          const v = value().toLowerCase();
          if (v !== 'basic' && v !== 'digest')
            throw new UsageError(`--auth must be basic or digest (the FMC supports no other), got '${v}'.`);
          options.auth = v;
          break;
        }
        case '--ca': {
          const file = value();
          const pem = readOptionFile(flag, file);
          if (!pem.includes('-----BEGIN CERTIFICATE-----'))
            throw new UsageError(
              `--ca: ${file} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----).`,
            );
          options.extraCa = pem;
          break;
        }
        case '--download': {
          const v = value();
          let u: URL;
          try {
            u = new URL(v);
          } catch {
            throw new UsageError(`--download: '${v}' is not a URL (e.g. https://tools.cisco.com/).`);
          }
          if (u.protocol !== 'https:')
            throw new UsageError(`--download: only https:// URLs are supported (got ${u.protocol}).`);
          options.download = v;
          break;
        }
        case '--stall-seconds':
          options.stallSeconds = positiveNumber(flag, value());
          break;
        case '--timeout': {
          const n = positiveNumber(flag, value());
          options.timeouts = { connect: n * 1000, response: n * 1000, tls: n * 1000, http: n * 1000 };
          break;
        }
        case '--no-large-request':
          options.largeRequestTest = false;
          break;
        case '--capture':
          capture = value();
          break;
        case '--write':
          captureFile = value();
          break;
        case '--fmc-conf':
          fmcConf = value();
          break;
        case '--json':
          json = true;
          break;
        case '--lang': {
          const v = value().toLowerCase();
          if (v !== 'en' && v !== 'ko') throw new UsageError(`--lang must be en or ko, got '${v}'.`);
          lang = v;
          break;
        }
        case '-v':
        case '--verbose':
          verbose = true;
          break;
        default:
          throw unknownOption(flag);
      }
    },
    { refuseFlagAsValue: true },
  );
  if (!options.proxy) throw new UsageError('--proxy HOST:PORT is required.');
  if (passwordEnv && !user) throw new UsageError('--password-env needs --user.');
  if (user) {
    if (!passwordEnv)
      throw new UsageError(
        `--user ${user} needs the password in an environment variable: --password-env VAR.`,
      );
    const password = env[passwordEnv];
    if (password === undefined || password === '')
      throw new UsageError(
        `environment variable ${passwordEnv} is not set or empty (it should hold the proxy password).`,
      );
    options.credentials = { username: user, password };
  }
  if (captureFile && !capture) throw new UsageError('--write needs --capture IFACE.');
  return { options: options as ProbeOptions, json, verbose, capture, captureFile, fmcConf, lang };
}

const MARK = { ok: 'ok  ', failed: 'FAIL', skipped: '--  ' } as const;

function human(
  result: ProbeResult,
  args: ProbeArgs,
  capture: CaptureAttachment | undefined,
  io: CliIo,
): void {
  const o = args.options;
  const target = result.target;
  io.out(
    `ProxyScope probe: proxy ${o.proxy.host}:${o.proxy.port} → ${target.host}:${target.port}${o.credentials ? ` (user ${o.credentials.username})` : ''}`,
  );
  io.out('');
  // --lang ko: the probe's own Korean texts (English when a result has none)
  const ko = args.lang === 'ko';
  const w = Math.max(...result.stages.map((s) => s.name.length));
  for (const s of result.stages)
    io.out(
      `  ${MARK[s.status]} ${s.name.padEnd(w)} ${s.status === 'skipped' ? '       ' : `${s.ms.toFixed(0).padStart(5)} ms`}  ${ko ? (s.detailKo ?? s.detail) : s.detail}`,
    );
  io.out('');
  io.out(
    `${ko ? '판정' : 'Verdict'}: ${result.verdict.issue}${result.verdict.ok ? (ko ? ' (프록시 정상)' : ' (the proxy works)') : ''}`,
  );
  io.out(`  ${ko ? (result.verdict.summaryKo ?? result.verdict.summary) : result.verdict.summary}`);
  const notes = result.findings.filter((f) => f.severity !== 'error' || f.issue !== result.verdict.issue);
  if (notes.length) {
    io.out('');
    io.out(ko ? '발견 사항:' : 'Findings:');
    for (const f of notes)
      io.out(
        `  [${f.severity}] ${ko ? (f.titleKo ?? f.title) : f.title}: ${ko ? (f.detailKo ?? f.detail) : f.detail}`,
      );
  }
  if (capture) {
    io.out('');
    io.out(`Packets: ${capture.text}`);
    for (const f of capture.findings.filter((x) => x.severity !== 'note' && x.severity !== 'chat'))
      io.out(
        `  [${f.id}] ${f.title}${f.packets.length ? ` (frames ${f.packets.slice(0, 8).join(', ')})` : ''}`,
      );
  }
  io.out('');
  if (!result.verdict.ok && result.verdict.issue !== 'ok') {
    const t = issueText(result.verdict.issue, args.lang, {
      proxy: o.proxy.host,
      port: o.proxy.port,
      user: o.credentials?.username,
    });
    io.out(`${t.title}`);
    io.out(`  ${t.explanation}`);
    if (t.causes.length)
      io.out(
        `${args.lang === 'ko' ? '가능한 원인' : 'Likely causes'}:\n${t.causes.map((c) => `  - ${c}`).join('\n')}`,
      );
    if (t.nextSteps.length) {
      io.out(args.lang === 'ko' ? '다음 단계:' : 'Next steps:');
      for (const step of t.nextSteps)
        io.out(`  - [${step.where}] ${step.text}${step.command ? `\n      ${step.command}` : ''}`);
    }
  } else {
    io.out('On the FMC (CLI → expert), the same checks:');
    for (const c of fmcCommands({
      host: o.proxy.host,
      port: o.proxy.port,
      useAuth: !!o.credentials,
      username: o.credentials?.username,
      authType: o.auth === 'any' ? undefined : o.auth,
    }).filter((c) => c.id === 'curl' || c.id === 'curl-auth' || c.id === 'tcpdump'))
      io.out(`  ${c.command}`);
  }
  if (args.verbose) {
    io.out('');
    io.out('Transcript:');
    io.out(result.transcript);
  } else io.out('\n(-v shows the curl -v style transcript)');
}

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'probe a proxy like the FMC does and name the known issue',
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseProbeArgs(args);
    let mismatch: string[] = [];
    if (parsed.fmcConf) {
      const conf = parseIprepProxyConf(readOptionFile('--fmc-conf', parsed.fmcConf));
      if (!conf.ok) {
        io.err(
          `${parsed.fmcConf} is not a valid iprep_proxy.conf:\n${formatIprepProblems(conf.errors, parsed.fmcConf)}`,
        );
        return 1;
      }
      mismatch = compareConfWithSettings(conf.config, {
        enabled: true,
        host: parsed.options.proxy.host,
        port: parsed.options.proxy.port,
        useAuth: !!parsed.options.credentials,
        username: parsed.options.credentials?.username,
      }).map((m) => m.message);
    }
    const controller = new AbortController();
    const onInt = () => controller.abort();
    process.once('SIGINT', onInt);
    let capture: CaptureAttachment | undefined;
    let result: ProbeResult;
    try {
      const session = parsed.capture
        ? await attachCapture(parsed.capture, parsed.options.proxy, {
            stallSeconds: parsed.options.stallSeconds,
            extraCa: parsed.options.extraCa,
            writePath: parsed.captureFile,
          })
        : undefined;
      let done: ProbeResult | undefined;
      try {
        done = await runProbe({ ...parsed.options, signal: controller.signal });
      } finally {
        if (session) capture = await session.finish(() => done);
      }
      result = done;
    } finally {
      process.off('SIGINT', onInt);
    }
    if (mismatch.length) {
      for (const m of mismatch)
        result.findings.push({
          issue: 'config-mismatch',
          severity: 'error',
          stage: 'connect',
          title: 'The FMC uses other proxy settings',
          detail: m,
        });
      if (result.verdict.ok)
        result.verdict = {
          issue: 'config-mismatch',
          ok: false,
          summary: `The proxy works, but the FMC's iprep_proxy.conf differs from it: ${mismatch.join('; ')}.`,
        };
    }
    if (parsed.json) {
      io.out(JSON.stringify(capture ? { ...result, capture } : result, null, 2));
    } else human(result, parsed, capture, io);
    return result.verdict.ok ? 0 : 2;
  },
};
