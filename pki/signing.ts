import { randomBytes, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';
import { certificateFromDer, parseCertificateBundle, parseCertificateChain, type CertificateInfo } from './certificates.js';
import { bundleChain, isSelfSigned, orderChain, type ChainBundle } from './chains.js';
import { isVerifiedCsr, verifyCsr, type CsrInfo, type VerifiedCsr } from './csr.js';
import { derBitString, derContext, derSequence, derSmallInteger, derTime, derUnsignedInteger } from './der-writer.js';
import {
  encodeAuthorityInfoAccess,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeCrlDistributionPoints,
  encodeExtensions,
  encodeSubjectKeyIdentifier,
  EXTENSION_OID,
  subjectIsEmpty,
} from './extensions.js';
import { encodePem, type PemOrDer } from './pem.js';
import { assertSameKey, keyIdentifier, publicKeysEqual } from './public-keys.js';
import { signatureAlgorithmFor, signatureAlgorithmIdentifier, signData, type SignatureAlgorithmName } from './signature-algorithms.js';
import type { ExtensionEntry } from './structures.js';
import { computeUsages, encodeExtKeyUsage, encodeKeyUsage, type Usages } from './usages.js';

/** What the CertificateRequest (and the issuer) decide, beyond what the CSR carries. */
export interface CertificateTemplate {
  /** Lifetime in milliseconds; default 90 days (cert-manager's 2160h). */
  durationMs?: number;
  isCA?: boolean;
  /** cert-manager usage names; default digital signature + key encipherment. */
  usages?: readonly string[];
  crlDistributionPoints?: readonly string[];
  ocspServers?: readonly string[];
  issuingCertificateUrls?: readonly string[];
  /** NotBefore; default the current time. */
  now?: Date;
}

export interface CaSigner {
  /** The issuing CA certificate (`tls.crt` of the CA Secret), optionally followed by its chain. */
  certificate: PemOrDer;
  privateKey: KeyObject;
  /** More of the CA's chain (`ca.crt` of the CA Secret), used to find the root-most certificate. */
  caBundle?: PemOrDer;
}

const PREPARED: unique symbol = Symbol('certwright.pki.PreparedSigner');

/**
 * A CA parsed and checked once (prepareSigner), for signing many requests: parsing the chain,
 * matching the key and ordering the chain cost more than a signature.
 */
export interface PreparedSigner {
  readonly [PREPARED]: true;
  /** The issuing CA certificate. */
  readonly issuer: CertificateInfo;
  readonly privateKey: KeyObject;
  readonly signatureAlgorithm: SignatureAlgorithmName;
  /** What follows a leaf in `tls.crt`: the issuer and its issuers up to (not including) a self-signed root. */
  readonly chainPem: string;
  /** `ca.crt`: the root-most certificate of the issuer's chain. */
  readonly caPem: string;
}

export interface SignedCertificate extends ChainBundle {
  /** The issued certificate, parsed when first read (signing callers mostly need only the PEM). */
  certificate: CertificateInfo;
}

export const DEFAULT_DURATION_MS = 90 * 24 * 60 * 60 * 1000;

interface Wanted {
  isCA: boolean;
  usages: Usages;
}

/** cert-manager's template validators: what the CSR states must agree with the request. */
const requestChecks: Array<(csr: CsrInfo, wanted: Wanted) => string | undefined> = [
  function basicConstraintsMatch(csr, wanted) {
    return csr.hasBasicConstraints && csr.isCA !== wanted.isCA ? 'request contains a CA basicConstraint that does not match the requested isCA value' : undefined;
  },
  function keyUsagesMatch(csr, wanted) {
    return csr.keyUsage !== 0 && csr.keyUsage !== wanted.usages.keyUsage ? 'the key usages in the request do not match the requested usages' : undefined;
  },
  function extKeyUsagesMatch(csr, wanted) {
    const requested = [...csr.extKeyUsages].sort().join();
    return csr.extKeyUsages.length > 0 && requested !== [...wanted.usages.extKeyUsages].sort().join()
      ? 'the extended key usages in the request do not match the requested usages'
      : undefined;
  },
];

interface ExtensionContext {
  csr: CsrInfo;
  wanted: Wanted;
  template: CertificateTemplate;
  /** undefined when self-signed. */
  issuer?: CertificateInfo;
}

/** Each returns one extension of the issued certificate (or none), in Go's order. */
const certificateExtensions: Array<(c: ExtensionContext) => ExtensionEntry | undefined> = [
  ({ wanted }) => (wanted.usages.keyUsage ? { oid: EXTENSION_OID.keyUsage, critical: true, value: encodeKeyUsage(wanted.usages.keyUsage) } : undefined),
  ({ wanted }) =>
    wanted.usages.extKeyUsages.length ? { oid: EXTENSION_OID.extKeyUsage, critical: false, value: encodeExtKeyUsage(wanted.usages.extKeyUsages) } : undefined,
  ({ wanted }) => ({ oid: EXTENSION_OID.basicConstraints, critical: true, value: encodeBasicConstraints(wanted.isCA) }),
  ({ csr }) => ({ oid: EXTENSION_OID.subjectKeyId, critical: false, value: encodeSubjectKeyIdentifier(keyIdentifier(csr.publicKeyDer)) }),
  ({ issuer }) => (issuer?.subjectKeyId ? { oid: EXTENSION_OID.authorityKeyId, critical: false, value: encodeAuthorityKeyIdentifier(issuer.subjectKeyId) } : undefined),
  ({ template }) =>
    template.ocspServers?.length || template.issuingCertificateUrls?.length
      ? { oid: EXTENSION_OID.authorityInfoAccess, critical: false, value: encodeAuthorityInfoAccess(template.ocspServers ?? [], template.issuingCertificateUrls ?? []) }
      : undefined,
  ({ csr }) => {
    const san = csr.extensions.get(EXTENSION_OID.subjectAltName);
    return san ? { oid: EXTENSION_OID.subjectAltName, critical: subjectIsEmpty(csr), value: san.value } : undefined;
  },
  ({ csr }) => {
    const constraints = csr.extensions.get(EXTENSION_OID.nameConstraints);
    return constraints ? { oid: EXTENSION_OID.nameConstraints, critical: constraints.critical, value: constraints.value } : undefined;
  },
  ({ template }) =>
    template.crlDistributionPoints?.length ? { oid: EXTENSION_OID.crlDistributionPoints, critical: false, value: encodeCrlDistributionPoints(template.crlDistributionPoints) } : undefined,
];

/** What signCertificate and selfSignCertificate take: a CSR as PEM or DER, parsed, or parsed and verified. */
export type SigningRequest = PemOrDer | CsrInfo | VerifiedCsr;

/** The request parsed (when given as PEM or DER) and its public key, once its signature verifies. */
function checkedRequest(request: SigningRequest): VerifiedCsr {
  return isVerifiedCsr(request) ? request : verifyCsr(request);
}

function wantedFrom(csr: CsrInfo, template: CertificateTemplate): Wanted {
  const wanted = { isCA: template.isCA ?? false, usages: computeUsages(template.usages, template.isCA) };
  const problem = requestChecks.map((check) => check(csr, wanted)).find(Boolean);
  if (problem) throw new PkiError('TEMPLATE_INVALID', problem);
  return wanted;
}

/** The certificate's DER (RFC 5280 §4.1): a v3 TBSCertificate signed with `signingKey`. */
function issue(csr: CsrInfo, template: CertificateTemplate, signingKey: KeyObject, algorithm: SignatureAlgorithmName, issuer: CertificateInfo | undefined): Buffer {
  const durationMs = template.durationMs ?? DEFAULT_DURATION_MS;
  if (!(durationMs > 0)) throw new PkiError('TEMPLATE_INVALID', `certificate duration must be positive, got ${durationMs}ms`);
  const notBefore = template.now ?? new Date();
  const context: ExtensionContext = { csr, wanted: wantedFrom(csr, template), template };
  if (issuer) context.issuer = issuer;
  const extensions = certificateExtensions.map((build) => build(context)).filter((e): e is ExtensionEntry => e !== undefined);
  const algorithmIdentifier = signatureAlgorithmIdentifier(algorithm);
  const tbs = derSequence(
    derContext(0, true, derSmallInteger(2)),
    // cert-manager draws serials uniformly below 2^128.
    derUnsignedInteger(randomBytes(16)),
    algorithmIdentifier,
    issuer ? issuer.rawSubject : csr.rawSubject,
    derSequence(derTime(notBefore), derTime(new Date(notBefore.getTime() + durationMs))),
    csr.rawSubject,
    csr.publicKeyDer,
    derContext(3, true, encodeExtensions(extensions)),
  );
  return derSequence(tbs, algorithmIdentifier, derBitString(signData(signingKey, algorithm, tbs)));
}

function signedCertificate(der: Buffer, chain: ChainBundle): SignedCertificate {
  let certificate: CertificateInfo | undefined;
  return {
    get certificate() {
      return (certificate ??= certificateFromDer(der));
    },
    certificatePem: chain.certificatePem,
    caPem: chain.caPem,
  };
}

/**
 * Parses and checks a CA once for many signatures: the key must match the CA certificate, and the
 * chain is ordered from the CA up through `tls.crt`'s extra certificates and `caBundle`.
 */
export function prepareSigner(ca: CaSigner): PreparedSigner {
  const [issuer, ...issuerChain] = parseCertificateChain(ca.certificate);
  assertSameKey(ca.privateKey, issuer!, 'CA private key and CA certificate');
  const signatureAlgorithm = signatureAlgorithmFor(ca.privateKey);
  const known = [...issuerChain, ...(ca.caBundle ? parseCertificateBundle(ca.caBundle) : [])];
  const ordered = orderChain(issuer!, known);
  // bundleChain always keeps its first certificate; after a leaf, a self-signed issuer is left out.
  const { certificatePem, caPem } = bundleChain(ordered);
  return { [PREPARED]: true, issuer: issuer!, privateKey: ca.privateKey, signatureAlgorithm, chainPem: isSelfSigned(issuer!) ? '' : certificatePem, caPem };
}

function isPrepared(ca: CaSigner | PreparedSigner): ca is PreparedSigner {
  return PREPARED in ca;
}

/**
 * The last CaSigner prepared per CA key, so callers that pass the same key and PEM for every
 * request (one CA Secret version) prepare it once. Keyed weakly: a dropped key drops its entry.
 */
const preparedByKey = new WeakMap<KeyObject, { ca: CaSigner; prepared: PreparedSigner }>();

const sameInput = (a: PemOrDer | undefined, b: PemOrDer | undefined) =>
  a === b || (a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b));

/** Strings are immutable; bytes are copied, so a caller refilling its buffer is not mistaken for the same CA. */
const snapshot = (input: PemOrDer): PemOrDer => (input instanceof Uint8Array ? Buffer.from(input) : input);

function preparedFor(ca: CaSigner): PreparedSigner {
  const cached = preparedByKey.get(ca.privateKey);
  if (cached && sameInput(cached.ca.certificate, ca.certificate) && sameInput(cached.ca.caBundle, ca.caBundle)) return cached.prepared;
  const prepared = prepareSigner(ca);
  preparedByKey.set(ca.privateKey, { ca: { certificate: snapshot(ca.certificate), privateKey: ca.privateKey, caBundle: ca.caBundle && snapshot(ca.caBundle) }, prepared });
  return prepared;
}

/**
 * Signs `request` with a CA (cert-manager's CA issuer): the CA key must match the CA certificate,
 * the CSR signature must verify, and the result carries the CA's chain. Pass a PreparedSigner to
 * sign many requests with one CA.
 */
export async function signCertificate(request: SigningRequest, template: CertificateTemplate, ca: CaSigner | PreparedSigner): Promise<SignedCertificate> {
  const signer = isPrepared(ca) ? ca : preparedFor(ca);
  const { csr, publicKey } = checkedRequest(request);
  const der = issue(csr, template, signer.privateKey, signer.signatureAlgorithm, signer.issuer);
  const pem = encodePem(der, 'CERTIFICATE');
  // A CA re-signing its own name and key issues a self-signed certificate: it is its own chain.
  const selfSigned = csr.rawSubject.equals(signer.issuer.rawSubject) && publicKeysEqual(publicKey, signer.privateKey);
  return signedCertificate(der, selfSigned ? { certificatePem: pem, caPem: pem } : { certificatePem: pem + signer.chainPem, caPem: signer.caPem });
}

/** Signs `request` with its own key (cert-manager's SelfSigned issuer); the key must match the CSR. */
export async function selfSignCertificate(request: SigningRequest, template: CertificateTemplate, privateKey: KeyObject): Promise<SignedCertificate> {
  const { csr, publicKey } = checkedRequest(request);
  assertSameKey(privateKey, publicKey, 'private key and certificate request');
  const der = issue(csr, template, privateKey, signatureAlgorithmFor(privateKey), undefined);
  const pem = encodePem(der, 'CERTIFICATE');
  return signedCertificate(der, { certificatePem: pem, caPem: pem });
}
