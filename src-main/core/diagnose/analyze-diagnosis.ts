// What `proxyscope analyze FILE [--proxy HOST:PORT] [--ca FILE]` adds after the packet list: the
// diagnosis of the file's conversations to the proxy, as JSON keys or as text ending with the
// verdict. Kept here so the analyze command only wires it in.
import { readFileSync } from 'node:fs';
import type { DiagnosisResult } from './diagnose.js';
import type { Endpoint } from './facts.js';
import { readCaptureFile } from '../pcap/file-reader.js';
import { CaptureFileError } from '../pcap/types.js';
import { CaptureDiagnosis } from './file.js';
import { parseHostPort } from '../probe/host-port.js';
import { diagnosisJson, diagnosisText, type DiagnosisJson } from './report.js';
import { pemSubjects } from './trust.js';

/** HOST:PORT or [IPv6]:PORT for --proxy; throws an Error starting with `--proxy` that says what is wrong. */
export function parseProxyEndpoint(v: string): Endpoint {
  return parseHostPort(v, '--proxy');
}

export interface AnalyzeDiagnosisOptions {
  proxy?: Endpoint;
  /** a CA (PEM file) whose certificates are expected, not "intercepted" */
  ca?: string;
}

/** Diagnoses the capture file; a bad --ca file is an Error naming the file. */
export async function analyzeDiagnosis(file: string, o: AnalyzeDiagnosisOptions): Promise<DiagnosisResult> {
  let trustedIssuers: string[] = [];
  if (o.ca) {
    let pem: string;
    try {
      pem = readFileSync(o.ca, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the CA file ${o.ca}: ${(e as Error).message}`, { cause: e });
    }
    trustedIssuers = pemSubjects(pem);
    if (!trustedIssuers.length)
      throw new Error(`${o.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  const d = new CaptureDiagnosis({ ...(o.proxy ? { proxy: o.proxy } : {}), trustedIssuers });
  let no = 0;
  try {
    await readCaptureFile(file, (p) => d.push(p, ++no));
  } catch (e) {
    // the packet list reports a damaged file; the diagnosis judges the packets before the damage
    if (!(e instanceof CaptureFileError)) throw e;
  }
  return d.finish();
}

/**
 * What the JSON document gets from the diagnosis: the "verdict" and "ladders" keys after
 * "conversations", and the findings to append to "findings". Plain data (it crosses threads);
 * the caller writes the lists item by item (a big capture's would not fit in one string).
 */
export function analyzeDiagnosisJson(r: DiagnosisResult): {
  verdict: DiagnosisJson['verdict'];
  ladders: DiagnosisJson['ladders'];
  findings: DiagnosisJson['findings'];
} {
  const j = diagnosisJson(r);
  return { verdict: j.verdict, ladders: j.ladders, findings: j.findings };
}

export { diagnosisText as analyzeDiagnosisText };

/** What analyze prints of the diagnosis: the text after the packet list, or the JSON pieces. */
export interface AnalyzeDiagnosisOutput {
  text?: string;
  json?: ReturnType<typeof analyzeDiagnosisJson>;
}
