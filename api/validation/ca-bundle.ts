/** CA bundle fields (`caBundle`): base64 of PEM that must hold at least one parsable certificate. */
import { X509Certificate } from 'node:crypto';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * Problem with a base64 CA bundle, or undefined when it holds a certificate. Like Go's
 * `CertPool.AppendCertsFromPEM`, unparsable blocks are skipped as long as one parses.
 */
export function caBundleProblem(base64: string): string | undefined {
  const pem = Buffer.from(base64, 'base64').toString('utf8');
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  return blocks.some(parses) ? undefined : "cert bundle didn't contain any valid certificates";
}
