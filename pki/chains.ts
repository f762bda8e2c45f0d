import { X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { KeyUsageFlags } from '@peculiar/asn1-x509';
import { PkiError } from './errors.js';
import { encodeCertificatesPem, type CertificateInfo } from './certificates.js';
import { EXTENSION_OID } from './extensions.js';
import { publicKeyFromSpki } from './public-keys.js';
import { nativeCertificateSignatureVerifies, signatureVerifies } from './signature-algorithms.js';
import { readCertificateStructure } from './structures.js';

/** Each certificate's imported public key (null when unusable): chains check one issuer many times. Parsed certificates are never changed, so both caches stay valid. */
const publicKeys = new WeakMap<CertificateInfo, KeyObject | null>();

function publicKeyOf(certificate: CertificateInfo): KeyObject | null {
  let key = publicKeys.get(certificate);
  if (key === undefined) {
    try {
      key = publicKeyFromSpki(certificate.publicKeyDer);
    } catch {
      key = null;
    }
    publicKeys.set(certificate, key);
  }
  return key;
}

/** Verdicts by child then parent: ordering and bundling a chain ask about the same pairs again. */
const verdicts = new WeakMap<CertificateInfo, WeakMap<CertificateInfo, boolean>>();

function issuerSignatureVerifies(child: CertificateInfo, parent: CertificateInfo): boolean {
  let byParent = verdicts.get(child);
  const known = byParent?.get(parent);
  if (known !== undefined) return known;
  const key = publicKeyOf(parent);
  const { signatureAlgorithm, signed, signature } = readCertificateStructure(child.der);
  const verdict = key ? (signatureVerifies(signatureAlgorithm, signed, signature, key) ?? nativeCertificateSignatureVerifies(child.der, key)) : false;
  if (!byParent) verdicts.set(child, (byParent = new WeakMap()));
  byParent.set(parent, verdict);
  return verdict;
}

/** `parent` issued `child`: names chain (raw DER) and `parent`'s key verifies `child`'s signature. */
export function isIssuedBy(child: CertificateInfo, parent: CertificateInfo): boolean {
  return child.rawIssuer.equals(parent.rawSubject) && issuerSignatureVerifies(child, parent);
}

export function isSelfSigned(certificate: CertificateInfo): boolean {
  return isIssuedBy(certificate, certificate);
}

/**
 * `first` followed by its issuers found among `others`, nearest first, until a self-signed
 * certificate or one whose issuer is not there. Certificates off that path are dropped.
 */
export function orderChain(first: CertificateInfo, others: readonly CertificateInfo[]): CertificateInfo[] {
  const chain = [first];
  const remaining = others.filter((c) => !c.der.equals(first.der));
  for (let current = first; !isSelfSigned(current); ) {
    const index = remaining.findIndex((candidate) => isIssuedBy(current, candidate));
    if (index < 0) break;
    current = remaining.splice(index, 1)[0]!;
    chain.push(current);
  }
  return chain;
}

export interface ChainBundle {
  /** Leaf then intermediates: `tls.crt`. A self-signed root is left out unless it is the leaf. */
  certificatePem: string;
  /** The root-most certificate of the chain: `ca.crt`. */
  caPem: string;
}

/** Splits a leaf-first ordered chain into what cert-manager stores as `tls.crt` and `ca.crt`. */
export function bundleChain(ordered: readonly CertificateInfo[]): ChainBundle {
  if (ordered.length === 0) throw new PkiError('CHAIN_MALFORMED', 'certificate chain is empty');
  const [leaf, ...issuers] = ordered;
  const included = [leaf!, ...issuers.filter((c) => !isSelfSigned(c))];
  return { certificatePem: encodeCertificatesPem(included), caPem: encodeCertificatesPem([ordered[ordered.length - 1]!]) };
}

export interface ChainVerificationOptions {
  leaf: CertificateInfo;
  intermediates?: readonly CertificateInfo[];
  roots: readonly CertificateInfo[];
  /** Validity is checked at this instant; default now. */
  at?: Date;
  /** When set, the leaf must be valid for this DNS name or IP address (SANs only, as Go). */
  hostname?: string;
}

type IssuerCheck = (issuer: CertificateInfo) => string | undefined;

const issuerChecks: IssuerCheck[] = [
  function mayIssueCertificates(issuer) {
    return issuer.isCA ? undefined : `"${issuer.subject}" is not a CA certificate`;
  },
  function keyUsageAllowsCertSign(issuer) {
    const hasKeyUsage = issuer.extensions.has(EXTENSION_OID.keyUsage);
    return !hasKeyUsage || issuer.keyUsage & KeyUsageFlags.keyCertSign ? undefined : `"${issuer.subject}" key usage does not allow certificate signing`;
  },
];

function validityProblem(certificate: CertificateInfo, at: Date): string | undefined {
  if (at < certificate.notBefore) return `"${certificate.subject}" is not valid before ${certificate.notBefore.toISOString()}`;
  if (at > certificate.notAfter) return `"${certificate.subject}" expired at ${certificate.notAfter.toISOString()}`;
  return undefined;
}

function hostnameProblem(leaf: CertificateInfo, hostname: string): string | undefined {
  const x = new X509Certificate(leaf.der);
  const matches = isIP(hostname) ? x.checkIP(hostname) !== undefined : x.checkHost(hostname, { subject: 'never' }) !== undefined;
  if (matches) return undefined;
  const names = [...leaf.dnsNames, ...leaf.ipAddresses];
  return `certificate is valid for ${names.length ? names.join(', ') : 'no names'}, not ${hostname}`;
}

/**
 * Builds and checks a path leaf → intermediates → one of `roots`: every certificate valid at `at`,
 * each issuer a CA allowed to sign certificates and verifying its child's signature, and the leaf
 * matching `hostname` if given. Returns the path (leaf first, root last); CHAIN_INVALID otherwise.
 */
export function verifyChain(options: ChainVerificationOptions): CertificateInfo[] {
  const at = options.at ?? new Date();
  const roots = options.roots;
  const candidates = [...roots, ...(options.intermediates ?? [])];
  const isRoot = (c: CertificateInfo) => roots.some((r) => r.der.equals(c.der));
  const problems: string[] = [];

  const leafValidity = validityProblem(options.leaf, at);
  if (leafValidity) throw new PkiError('CHAIN_INVALID', leafValidity);
  if (options.hostname !== undefined) {
    const problem = hostnameProblem(options.leaf, options.hostname);
    if (problem) throw new PkiError('CHAIN_INVALID', problem);
  }

  const extend = (path: CertificateInfo[]): CertificateInfo[] | undefined => {
    const current = path[path.length - 1]!;
    if (isRoot(current)) return path;
    for (const issuer of candidates) {
      if (path.some((c) => c.der.equals(issuer.der)) || !isIssuedBy(current, issuer)) continue;
      const problem = issuerChecks.map((check) => check(issuer)).find(Boolean) ?? validityProblem(issuer, at);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const found = extend([...path, issuer]);
      if (found) return found;
    }
    return undefined;
  };

  const path = extend([options.leaf]);
  if (!path) {
    throw new PkiError('CHAIN_INVALID', `certificate signed by unknown authority${problems.length ? `: ${problems[0]}` : ''}`);
  }
  return path;
}
