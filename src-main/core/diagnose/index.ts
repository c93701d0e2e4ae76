// The diagnosis: known-issue catalog, stage ladders, findings with evidence packets, verdicts.
export {
  KNOWN_ISSUES,
  HTTP_CODES,
  issueText,
  issueRank,
  httpCodeInfo,
  describeHttpCode,
  type Lang,
  type NextStep,
  type IssueText,
  type KnownIssueInfo,
  type HttpCodeInfo,
} from './catalog.js';
export {
  diagnosePackets,
  diagnoseConversations,
  combineDiagnosis,
  verdictOf,
  findingExpertItems,
  packetNotes,
  type DiagnoseOptions,
  type DiagnosisResult,
  type DiagnosisPart,
  type Verdict,
} from './diagnose.js';
export {
  analyzeDiagnosis,
  analyzeDiagnosisJson,
  analyzeDiagnosisText,
  parseProxyEndpoint,
} from './analyze-diagnosis.js';
export { joinVerdict, type JoinedVerdict, type JoinedResult } from './joined.js';
export { diagnoseCaptureFile, captureFileFacts, rawPacketFacts, CaptureDiagnosis } from './file.js';
export { diagnosisJson, diagnosisText, type DiagnosisJson, type DiagnosisJsonFinding } from './report.js';
export { pemSubjects, isPublicRootIssuer } from './trust.js';
export { factsFromFields, engineFacts, EngineFactSource } from './engine-facts.js';
export type { Finding } from './rules.js';
export type { Ladder, Stage, StageName, StageStatus } from './ladder.js';
export type { PacketFacts, Endpoint, TcpFacts, HttpFacts, TlsFacts, IcmpFacts, DnsFacts } from './facts.js';
export { KNOWN_ISSUE_IDS, isKnownIssueId, type KnownIssueId } from './issue-ids.js';
