// Worker thread that diagnoses a capture file while `proxyscope analyze` prints its packet list:
// the two passes over a big file run side by side on two cores instead of one after the other.
// It posts what the command prints (the text, or the JSON pieces), never the result objects.
import { parentPort, workerData } from 'node:worker_threads';
import type { Endpoint } from './facts.js';
import {
  analyzeDiagnosis,
  analyzeDiagnosisJson,
  analyzeDiagnosisText,
  type AnalyzeDiagnosisOutput,
} from './analyze-diagnosis.js';

export interface DiagnosisWorkerData {
  file: string;
  format: 'text' | 'json';
  proxy?: Endpoint;
  ca?: string;
}

export type DiagnosisWorkerMessage =
  { type: 'done'; output: AnalyzeDiagnosisOutput } | { type: 'error'; message: string };

async function run(data: DiagnosisWorkerData): Promise<DiagnosisWorkerMessage> {
  try {
    const r = await analyzeDiagnosis(data.file, {
      ...(data.proxy ? { proxy: data.proxy } : {}),
      ...(data.ca ? { ca: data.ca } : {}),
    });
    return {
      type: 'done',
      output: data.format === 'json' ? { json: analyzeDiagnosisJson(r) } : { text: analyzeDiagnosisText(r) },
    };
  } catch (e) {
    return { type: 'error', message: (e as Error).message };
  }
}

if (parentPort) {
  const port = parentPort;
  void run(workerData as DiagnosisWorkerData).then((m) => port.postMessage(m));
}
