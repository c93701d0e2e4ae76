export { runProbe, DEFAULT_TARGET, DEFAULT_USER_AGENT, statusMeaning } from './probe.js';
export { parseChallenges, parseAllChallenges, type AuthChallenge } from './auth-challenge.js';
export {
  digestResponse,
  buildDigestAuthorization,
  basicAuthorization,
  pickDigestChallenge,
  type DigestAlgorithm,
  type DigestInput,
} from './digest.js';
export { parseCertificateDer, type CertificateInfo } from './certificates.js';
export { maskHeaderLine } from './transcript.js';
export { parseHostPort } from './host-port.js';
export type * from './types.js';
