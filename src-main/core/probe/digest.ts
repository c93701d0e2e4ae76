/**
 * HTTP Digest client side (RFC 7616): the response to a proxy's Digest challenge.
 * Supports MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256(-sess) when Node has it, qop=auth
 * (or RFC 2069 style without qop). For CONNECT the digest-uri is the authority (host:port), as curl sends it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuthChallenge } from './auth-challenge.js';

export type DigestAlgorithm =
  'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

const HASH_OF: Record<string, string> = { md5: 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' };

export function normalizeAlgorithm(raw: string | undefined): DigestAlgorithm | undefined {
  const a = (raw ?? 'MD5').toUpperCase();
  const known: DigestAlgorithm[] = [
    'MD5',
    'MD5-sess',
    'SHA-256',
    'SHA-256-sess',
    'SHA-512-256',
    'SHA-512-256-sess',
  ];
  return known.find((k) => k.toUpperCase() === a);
}

function hashName(alg: DigestAlgorithm): string {
  return HASH_OF[alg.replace(/-sess$/i, '').toLowerCase()] ?? 'md5';
}

export function digestHash(alg: DigestAlgorithm, text: string): string {
  return createHash(hashName(alg)).update(text, 'utf8').digest('hex');
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  realm: string;
  method: string;
  uri: string;
  nonce: string;
  /** undefined → RFC 2069 compatibility (no qop, no cnonce) */
  qop?: 'auth';
  nc?: number;
  cnonce?: string;
}

/** The `response` value: KD(H(A1), nonce:nc:cnonce:qop:H(A2)). */
export function digestResponse(i: DigestInput): string {
  const H = (s: string) => digestHash(i.algorithm, s);
  let ha1 = H(`${i.username}:${i.realm}:${i.password}`);
  if (/-sess$/i.test(i.algorithm)) ha1 = H(`${ha1}:${i.nonce}:${i.cnonce ?? ''}`);
  const ha2 = H(`${i.method}:${i.uri}`);
  if (!i.qop) return H(`${ha1}:${i.nonce}:${ha2}`);
  return H(`${ha1}:${i.nonce}:${formatNc(i.nc ?? 1)}:${i.cnonce ?? ''}:${i.qop}:${ha2}`);
}

export function formatNc(nc: number): string {
  return nc.toString(16).padStart(8, '0');
}

function quote(v: string): string {
  return `"${v.replace(/[\\"]/g, (m) => '\\' + m)}"`;
}

/** Supported algorithms, strongest first: the one we pick when a proxy offers several challenges. */
export const DIGEST_PREFERENCE: DigestAlgorithm[] = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
];

export function isUsableDigestChallenge(ch: AuthChallenge): boolean {
  if (ch.scheme.toLowerCase() !== 'digest' || !ch.params.nonce) return false;
  const alg = normalizeAlgorithm(ch.params.algorithm);
  if (!alg) return false;
  if (alg.startsWith('SHA-512-256')) {
    try {
      createHash('sha512-256');
    } catch {
      return false;
    }
  }
  const qop = ch.params.qop;
  return qop === undefined || qop.split(',').some((q) => q.trim().toLowerCase() === 'auth');
}

export function pickDigestChallenge(challenges: AuthChallenge[]): AuthChallenge | undefined {
  const usable = challenges.filter(isUsableDigestChallenge);
  usable.sort(
    (a, b) =>
      DIGEST_PREFERENCE.indexOf(normalizeAlgorithm(a.params.algorithm)!) -
      DIGEST_PREFERENCE.indexOf(normalizeAlgorithm(b.params.algorithm)!),
  );
  return usable[0];
}

export interface DigestAuthorization {
  /** full header value, `Digest username=..., response=...` */
  header: string;
  algorithm: DigestAlgorithm;
  nc: number;
}

/** Builds the Proxy-Authorization value answering `ch` (a usable Digest challenge). */
export function buildDigestAuthorization(
  ch: AuthChallenge,
  creds: { username: string; password: string },
  method: string,
  uri: string,
  nc = 1,
  cnonce = randomBytes(16).toString('base64').replace(/=+$/, ''),
): DigestAuthorization {
  const algorithm = normalizeAlgorithm(ch.params.algorithm) ?? 'MD5';
  const realm = ch.params.realm ?? '';
  const nonce = ch.params.nonce ?? '';
  const qop = ch.params.qop !== undefined ? ('auth' as const) : undefined;
  const response = digestResponse({
    algorithm,
    username: creds.username,
    password: creds.password,
    realm,
    method,
    uri,
    nonce,
    qop,
    nc,
    cnonce,
  });
  const parts = [
    `username=${quote(creds.username)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(uri)}`,
    `algorithm=${algorithm}`,
    `response=${quote(response)}`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${formatNc(nc)}`, `cnonce=${quote(cnonce)}`);
  if (ch.params.opaque !== undefined) parts.push(`opaque=${quote(ch.params.opaque)}`);
  return { header: `Digest ${parts.join(', ')}`, algorithm, nc };
}

export function basicAuthorization(creds: { username: string; password: string }): string {
  return 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
}
