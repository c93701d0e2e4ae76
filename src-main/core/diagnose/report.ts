// The diagnosis as the CLI prints it: JSON fields (verdict, ladders, findings) and text lines
// ending with the verdict. Findings carry `no` (first evidence frame), `group` and `message` too,
// so they read like the packet list's expert items next to them.
import type { DiagnosisResult, Verdict } from './diagnose.js';
import type { Ladder } from './ladder.js';
import type { Finding } from './rules.js';

export interface DiagnosisJsonFinding {
  id: Finding['id'];
  severity: Finding['severity'];
  title: string;
  packets: number[];
  no: number;
  group: 'diagnosis';
  message: string;
  detail: string;
  explanation: string;
  causes: string[];
  nextSteps: Finding['nextSteps'];
  decisive: boolean;
  conversation?: number;
  ko: Finding['ko'];
}

export interface DiagnosisJson {
  verdict: Pick<Verdict, 'issue' | 'ok' | 'summary'> & { summaryKo: string };
  ladders: Ladder[];
  findings: DiagnosisJsonFinding[];
}

export function diagnosisJson(r: DiagnosisResult): DiagnosisJson {
  return {
    verdict: {
      issue: r.verdict.issue,
      ok: r.verdict.ok,
      summary: r.verdict.summary,
      summaryKo: r.verdict.summaryKo,
    },
    ladders: r.ladders,
    findings: r.findings.map((f) => {
      const o: DiagnosisJsonFinding = {
        id: f.id,
        severity: f.severity,
        title: f.title,
        packets: f.packets,
        no: f.packets[0] ?? 0,
        group: 'diagnosis',
        message: `${f.title}: ${f.detail}`,
        detail: f.detail,
        explanation: f.explanation,
        causes: f.causes,
        nextSteps: f.nextSteps,
        decisive: f.decisive,
        ko: f.ko,
      };
      if (f.conversation !== undefined) o.conversation = f.conversation;
      return o;
    }),
  };
}

const MARK: Record<string, string> = { ok: 'ok', failed: 'FAILED', missing: '--' };

/** Text lines: one ladder per conversation, the findings, and the verdict last. */
export function diagnosisText(r: DiagnosisResult, lang: 'en' | 'ko' = 'en'): string {
  const MAX_LADDERS = 20;
  const MAX_PER_ISSUE = 3;
  const lines: string[] = [];
  lines.push('');
  lines.push(`Diagnosis: ${r.ladders.length} conversation(s) to the proxy`);
  for (const l of r.ladders.slice(0, MAX_LADDERS)) {
    lines.push(`  conversation ${l.conversation}: ${l.client} → ${l.proxy}`);
    lines.push(
      `    ${l.stages.map((s) => `${s.label} ${MARK[s.status]}${s.packets.length ? ` [${s.packets.slice(0, 4).join(',')}${s.packets.length > 4 ? ',…' : ''}]` : ''}`).join(' → ')}`,
    );
  }
  if (r.ladders.length > MAX_LADDERS)
    lines.push(
      `  … and ${r.ladders.length - MAX_LADDERS} more conversation(s) (all of them in --format json)`,
    );
  // a capture with thousands of failing conversations: a few examples of each issue
  const shown = new Map<string, number>();
  for (const f of r.findings) {
    const key = `${f.id}|${f.decisive}`;
    const n = (shown.get(key) ?? 0) + 1;
    shown.set(key, n);
    if (n > MAX_PER_ISSUE) continue;
    const t = lang === 'ko' ? f.ko : f;
    lines.push(`  [${f.severity}] ${f.id}${f.decisive ? '' : ' (not decisive)'}: ${t.title}`);
    lines.push(`      ${t.detail}`);
    if (f.packets.length)
      lines.push(`      evidence: frame${f.packets.length > 1 ? 's' : ''} ${f.packets.join(', ')}`);
    if (f.decisive && n === 1)
      for (const s of t.nextSteps.slice(0, 3))
        lines.push(`      next (${s.where}): ${s.text}${s.command ? `\n          $ ${s.command}` : ''}`);
  }
  for (const [key, n] of shown)
    if (n > MAX_PER_ISSUE) lines.push(`  … ${n - MAX_PER_ISSUE} more ${key.split('|')[0]} finding(s)`);
  lines.push(`Verdict: ${r.verdict.issue} — ${lang === 'ko' ? r.verdict.summaryKo : r.verdict.summary}`);
  return lines.join('\n') + '\n';
}
