/**
 * `preferredChain` (reference §1.8.1): among the default chain and the alternates the server
 * offers, the first whose root-most certificate was issued by (or is) a CA with that common name;
 * the default chain when none matches or none is preferred.
 */
import { attributeValues, OID, parseCertificateChain } from '../../pki/index.js';

function rootMostNames(chainPem: string): string[] {
  const chain = parseCertificateChain(chainPem);
  const top = chain[chain.length - 1];
  if (!top) return [];
  return [...attributeValues(top.issuerRdns, OID.commonName), top.subjectFields.commonName];
}

export function choosePreferredChain(defaultChain: string, alternates: readonly string[], preferred: string | undefined): string {
  if (!preferred) return defaultChain;
  return [defaultChain, ...alternates].find((chain) => rootMostNames(chain).includes(preferred)) ?? defaultChain;
}
