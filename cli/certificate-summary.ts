/**
 * Plain-data descriptions of decoded certificates and certificate Secrets, shared by `status`
 * and `inspect` for both their human and their JSON/YAML output. Private keys are described
 * (algorithm, whether they match), never shown.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { inspectSecret, type SecretState } from '../controller/certificates/secret-state.js';
import type { KubeSecret } from '../issuers/backend.js';
import { describeKey, parseCertificateBundle, verifyChain, type CertificateInfo, type KeyDescription } from '../pki/index.js';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
  isCA: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
  usages: string[];
  publicKey: string;
  fingerprintSha256: string;
}

export function describeKeyAlgorithm(key: KeyDescription | undefined): string {
  if (!key) return 'unknown';
  return key.algorithm === 'Ed25519' ? 'Ed25519' : `${key.algorithm} ${key.curve ?? key.size}`;
}

/** OpenSSL's colon-separated upper-case form of a hex fingerprint. */
export function colonHex(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?=.)/g, '$1:');
}

export function summarizeCertificate(info: CertificateInfo, now: number): CertificateSummary {
  return {
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    expired: info.notAfter.getTime() <= now,
    isCA: info.isCA,
    dnsNames: info.dnsNames,
    ipAddresses: info.ipAddresses,
    uris: info.uris,
    emailAddresses: info.emailAddresses,
    usages: info.usages,
    publicKey: describeKeyAlgorithm(info.publicKey),
    fingerprintSha256: colonHex(info.fingerprintSha256),
  };
}

export interface SecretSummary {
  namespace: string;
  name: string;
  exists: boolean;
  type?: string;
  /** `tls.key`: its algorithm, or why it cannot be used. */
  privateKey?: string;
  /** `tls.crt`, leaf first. */
  chain?: CertificateSummary[];
  /** Why `tls.crt` cannot be used. */
  certificateProblem?: string;
  keyMatchesCertificate?: boolean;
  /** `ca.crt`, when present. */
  ca?: CertificateSummary[];
  /** Whether the leaf chains to `ca.crt` (undefined without `ca.crt`), and why not. */
  chainVerifies?: boolean;
  chainProblem?: string;
  /** Where `ca.crt` does not parse. */
  caProblem?: string;
}

function entryProblem(entry: { status: string; error?: string }, key: string): string | undefined {
  if (entry.status === 'missing') return `no ${key}`;
  if (entry.status === 'empty') return `${key} is empty`;
  if (entry.status === 'undecodable') return `${key} does not decode: ${entry.error}`;
  return undefined;
}

function caBundleSummary(caPem: string, leafChain: readonly CertificateInfo[], now: number): Partial<SecretSummary> {
  let roots: CertificateInfo[];
  try {
    roots = parseCertificateBundle(caPem);
  } catch (err) {
    return { caProblem: (err as Error).message };
  }
  const summary: Partial<SecretSummary> = { ca: roots.map((c) => summarizeCertificate(c, now)) };
  const [leaf, ...intermediates] = leafChain;
  if (!leaf) return summary;
  try {
    verifyChain({ leaf, intermediates, roots, at: new Date(now) });
    return { ...summary, chainVerifies: true };
  } catch (err) {
    return { ...summary, chainVerifies: false, chainProblem: (err as Error).message };
  }
}

/** The decoded state of a Secret as the API returned it (the controller's decoder takes client-node's type). */
export function inspectKubeSecret(secret: KubeSecret | undefined): SecretState {
  return inspectSecret(secret as unknown as V1Secret | undefined);
}

export function summarizeSecret(namespace: string, name: string, state: SecretState, now: number): SecretSummary {
  if (!state.exists) return { namespace, name, exists: false };
  const { privateKey, certificate } = state;
  const chain = certificate.status === 'parsed' ? certificate.chain : [];
  const keyProblem = entryProblem(privateKey, 'tls.key');
  const certificateProblem = entryProblem(certificate, 'tls.crt');
  return {
    namespace,
    name,
    exists: true,
    ...(state.secret.type ? { type: state.secret.type } : {}),
    privateKey: privateKey.status === 'parsed' ? describeKeyAlgorithm(describeKey(privateKey.key)) : keyProblem!,
    ...(certificateProblem ? { certificateProblem } : { chain: chain.map((c) => summarizeCertificate(c, now)) }),
    ...(state.keyMatchesCertificate === undefined ? {} : { keyMatchesCertificate: state.keyMatchesCertificate }),
    ...(state.caPem ? caBundleSummary(state.caPem, chain, now) : {}),
  };
}
