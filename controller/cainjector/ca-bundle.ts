/**
 * cert-manager's CAInjectorMerging (GA): a CA injected into a caBundle is added to what is there
 * instead of replacing it, so clients keep trusting serving certificates signed by the old CA
 * while a rotated CA is rolled out. Old CAs leave the bundle once expired.
 */
import { encodeCertificatesPem, parseCertificateBundle, type CertificateInfo } from '../../pki/index.js';

export interface MergedBundle {
  /** PEM: the unexpired certificates of the existing bundle, then the source's ones it lacked. */
  pem: string;
  /** When the next kept certificate that the source no longer has expires (re-merge then to drop it). */
  nextExpiry?: number;
}

function parseOrEmpty(pem: string): CertificateInfo[] | undefined {
  try {
    return parseCertificateBundle(pem);
  } catch {
    return undefined;
  }
}

/**
 * The bundle to inject, given the one in place (`existingPem`, may be empty or unparsable: then
 * the source replaces it) and the source's CA certificates (`sourcePem`, must parse). Stable:
 * merging a result with the same source at the same time gives it back unchanged.
 */
export function mergeCaBundles(existingPem: string, sourcePem: string, now: number): MergedBundle {
  const source = parseCertificateBundle(sourcePem);
  const existing = existingPem.trim() === '' ? [] : (parseOrEmpty(existingPem) ?? []);
  const inSource = new Set(source.map((c) => c.fingerprintSha256));
  const kept: CertificateInfo[] = [];
  const seen = new Set<string>();
  for (const certificate of existing) {
    if (seen.has(certificate.fingerprintSha256)) continue;
    if (!inSource.has(certificate.fingerprintSha256) && certificate.notAfter.getTime() <= now) continue;
    seen.add(certificate.fingerprintSha256);
    kept.push(certificate);
  }
  for (const certificate of source) {
    if (seen.has(certificate.fingerprintSha256)) continue;
    seen.add(certificate.fingerprintSha256);
    kept.push(certificate);
  }
  const expiries = kept.filter((c) => !inSource.has(c.fingerprintSha256)).map((c) => c.notAfter.getTime());
  return { pem: encodeCertificatesPem(kept), ...(expiries.length > 0 ? { nextExpiry: Math.min(...expiries) } : {}) };
}
