/**
 * What certwright sends to Vault's PKI `sign` endpoint and how it reads the answer
 * (cert-manager's `internal/vault/vault.go`): the CSR with its names spelled out as Vault's
 * parameters, the requested duration as `ttl`, `exclude_cn_from_sans`; back come the leaf, the
 * issuing CA and the CA chain, ordered into `tls.crt` (leaf and intermediates) and `ca.crt`
 * (the root-most certificate). Only the CSR is sent: the private key stays in the cluster.
 */
import { formatDuration } from '../../api/duration.js';
import { bundleChain, orderChain, parseCertificateChain, parseCsr, type ChainBundle } from '../../pki/index.js';

/** The JSON body of `POST /v1/<mount>/sign/<role>`; every value a string, as cert-manager sends. */
export function signParameters(csrPem: string, durationMs: number): Record<string, string> {
  const csr = parseCsr(csrPem);
  return {
    common_name: csr.commonName,
    alt_names: csr.dnsNames.join(','),
    ip_sans: csr.ipAddresses.join(','),
    uri_sans: csr.uris.join(','),
    ttl: formatDuration(durationMs),
    csr: csr.pem,
    exclude_cn_from_sans: 'true',
  };
}

function pemField(data: Record<string, unknown>, field: string): string | undefined {
  const value = data[field];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `tls.crt` and `ca.crt` from the `data` of Vault's sign answer; throws on a missing or bad certificate. */
export function certificatesFromSignResponse(data: Record<string, unknown>): ChainBundle {
  const certificate = pemField(data, 'certificate');
  if (!certificate) throw new Error('the answer has no certificate');
  const chain = Array.isArray(data.ca_chain) ? data.ca_chain.filter((c): c is string => typeof c === 'string' && c.trim() !== '') : [];
  const issuingCa = pemField(data, 'issuing_ca');
  const [leaf, ...bundled] = parseCertificateChain(certificate);
  const others = [...bundled, ...[issuingCa, ...chain].filter((p): p is string => p !== undefined).flatMap((pem) => parseCertificateChain(pem))];
  return bundleChain(orderChain(leaf!, others));
}
