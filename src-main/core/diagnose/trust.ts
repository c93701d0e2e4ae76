// Is a certificate issuer a public root CA (Node's bundled Mozilla roots) or one the user expects?
// Names are compared by their common name (or organisation when there is no CN), because the
// issuer text comes in different shapes ("CN=x, O=y", "C=US\nO=y\nCN=x", "x").
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

function attr(dn: string, key: string): string | undefined {
  const re = new RegExp(`(?:^|[,/\\n+]\\s*)${key}\\s*=\\s*("[^"]*"|[^,/\\n+]*)`, 'i');
  const m = dn.match(re);
  return m ? m[1]!.replace(/^"|"$/g, '').trim() : undefined;
}

// a capture's certificates come from a few issuers, asked about once per conversation
const keys = new Map<string, string>();

/** The comparable name of a DN: its CN, else its O, else the whole text. */
export function issuerKey(dn: string): string {
  let k = keys.get(dn);
  if (k === undefined) {
    const s = dn.trim();
    k = (attr(s, 'CN') ?? attr(s, 'O') ?? s).toLowerCase();
    if (keys.size >= 1024) keys.clear();
    keys.set(dn, k);
  }
  return k;
}

export function issuerMatches(a: string, b: string): boolean {
  return issuerKey(a) === issuerKey(b);
}

let publicRoots: Set<string> | undefined;

export function isPublicRootIssuer(dn: string): boolean {
  if (!publicRoots) {
    publicRoots = new Set();
    for (const pem of rootCertificates) {
      try {
        publicRoots.add(issuerKey(new X509Certificate(pem).subject));
      } catch {
        // a root Node cannot parse is simply not used for matching
      }
    }
  }
  return publicRoots.has(issuerKey(dn));
}

/** Subjects of the certificates in a PEM bundle (the CA a user trusts with --ca). */
export function pemSubjects(pem: string): string[] {
  const out: string[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) {
    try {
      out.push(new X509Certificate(m[0]).subject);
    } catch {
      // skip blocks that are not certificates
    }
  }
  return out;
}
