/**
 * The peer's certificate chain as the probe reports it: subject, issuer, validity, SANs and
 * SHA-256 fingerprint of each certificate, parsed from the raw DER with node-forge. node-forge only
 * reads RSA keys, so EC/EdDSA certificates fall back to Node's X509Certificate for the same fields.
 */
import { X509Certificate, createHash } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import forge from 'node-forge';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** ISO 8601 */
  notBefore: string;
  notAfter: string;
  subjectAltNames: string[];
  /** SHA-256 of the DER, colon-separated upper-case hex (like openssl / browsers) */
  fingerprint256: string;
  serialNumber: string;
  selfSigned: boolean;
  isCA: boolean;
  parsedBy: 'node-forge' | 'node:crypto';
}

function fingerprint(der: Buffer): string {
  return createHash('sha256')
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');
}

function forgeName(attrs: forge.pki.CertificateField[]): string {
  return attrs.map((a) => `${a.shortName ?? a.name ?? a.type}=${String(a.value)}`).join(', ');
}

export function parseCertificateDer(der: Buffer): CertificateInfo {
  try {
    const cert = forge.pki.certificateFromAsn1(
      forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))),
    );
    const sanExt = cert.getExtension('subjectAltName') as {
      altNames?: Array<{ type: number; value?: string; ip?: string }>;
    } | null;
    const sans = (sanExt?.altNames ?? []).map((n) =>
      n.type === 7
        ? `IP:${n.ip ?? ''}`
        : n.type === 2
          ? `DNS:${n.value ?? ''}`
          : `${n.type}:${n.value ?? ''}`,
    );
    const bc = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
    const subject = forgeName(cert.subject.attributes);
    const issuer = forgeName(cert.issuer.attributes);
    return {
      subject,
      issuer,
      notBefore: cert.validity.notBefore.toISOString(),
      notAfter: cert.validity.notAfter.toISOString(),
      subjectAltNames: sans,
      fingerprint256: fingerprint(der),
      serialNumber: cert.serialNumber.toUpperCase(),
      selfSigned: subject === issuer,
      isCA: bc?.cA === true,
      parsedBy: 'node-forge',
    };
  } catch {
    const x = new X509Certificate(der);
    const name = (s: string) => s.split('\n').filter(Boolean).join(', ');
    return {
      subject: name(x.subject),
      issuer: name(x.issuer),
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      subjectAltNames: (x.subjectAltName ?? '')
        .split(/,\s*/)
        .filter(Boolean)
        .map((s) => s.replace(/^IP Address:/, 'IP:')),
      fingerprint256: fingerprint(der),
      serialNumber: x.serialNumber.toUpperCase(),
      selfSigned: x.subject === x.issuer,
      isCA: x.ca,
      parsedBy: 'node:crypto',
    };
  }
}

/** The chain the server sent (leaf first), deduplicated; stops at the first repeat (Node links the root to itself). */
export function peerChain(socket: TLSSocket): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  const seen = new Set<string>();
  let cur: PeerCertificate | undefined = socket.getPeerCertificate(true) as PeerCertificate & {
    issuerCertificate?: PeerCertificate;
  };
  while (cur && cur.raw && out.length < 10) {
    const fp = fingerprint(cur.raw);
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(parseCertificateDer(cur.raw));
    cur = (cur as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
  }
  return out;
}

/** OpenSSL verify errors that mean "the chain leads to a CA this machine does not trust". */
export const UNTRUSTED_ISSUER_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);
