import { createPublicKey, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';
import { derBitString, derContext, derOid, derSequence, derSetOf, derSmallInteger } from './der-writer.js';
import {
  attributeValues,
  encodeRdnSequence,
  isEmptyName,
  OID,
  parseLiteralSubject,
  rdnSequenceFromFields,
  type RdnSequence,
  type X509SubjectSpec,
} from './distinguished-names.js';
import { encodeNameConstraints, encodeSubjectAltNames, hasNoSubjectAltNames, NAME_CONSTRAINTS_OID, SAN_OID, type NameConstraintsSpec, type SubjectAltNamesSpec } from './general-names.js';
import { encodeExtensions, extensionMap, namesAndUsages, type ExtensionMap, type NamesAndUsages } from './extensions.js';
import type { KeySpec } from './keys.js';
import { MAX_CERTIFICATE_SIZE } from './limits.js';
import { encodePem, firstDerObject, type PemOrDer } from './pem.js';
import { publicKeyFromSpki, spkiOf } from './public-keys.js';
import { signatureAlgorithmFor, signatureAlgorithmIdentifier, signatureVerifies, signData } from './signature-algorithms.js';
import { EXTENSION_REQUEST_OID, readCsrStructure, type ExtensionEntry } from './structures.js';
import { computeUsages, encodeExtKeyUsage, encodeKeyUsage, EXT_KEY_USAGE_OID, KEY_USAGE_OID } from './usages.js';

/**
 * The Certificate spec fields a CSR is built from, named as in cert-manager so a Certificate's
 * `spec` can be passed directly. Enumerated values are plain strings, checked when used.
 */
export interface CertificateRequestSpec extends SubjectAltNamesSpec {
  commonName?: string;
  literalSubject?: string;
  subject?: X509SubjectSpec;
  usages?: readonly string[];
  isCA?: boolean;
  nameConstraints?: NameConstraintsSpec;
  encodeUsagesInRequest?: boolean;
  signatureAlgorithm?: string;
  privateKey?: KeySpec;
}

const CSR_PEM_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];

/** The subject RDNs a spec asks for: `literalSubject` verbatim, else `subject` fields + `commonName`. */
export function subjectRdnsForSpec(spec: CertificateRequestSpec): RdnSequence {
  if (spec.literalSubject) return parseLiteralSubject(spec.literalSubject);
  return rdnSequenceFromFields(spec.subject, spec.commonName);
}

/** The common name a spec asks for; with `literalSubject`, the CN inside it. */
export function commonNameForSpec(spec: CertificateRequestSpec): string {
  if (spec.literalSubject) return attributeValues(parseLiteralSubject(spec.literalSubject), OID.commonName)[0] ?? '';
  return spec.commonName ?? '';
}

/** Each returns the extensions one part of the spec contributes to the CSR, in cert-manager's order. */
const csrExtensionBuilders: Array<(spec: CertificateRequestSpec, subjectEmpty: boolean) => ExtensionEntry[]> = [
  function subjectAltNames(spec, subjectEmpty) {
    if (hasNoSubjectAltNames(spec)) return [];
    // RFC 5280: with an empty subject the SAN extension carries the identity, so it is critical.
    return [{ oid: SAN_OID, critical: subjectEmpty, value: encodeSubjectAltNames(spec) }];
  },
  function usages(spec) {
    if (spec.encodeUsagesInRequest === false) return [];
    const { keyUsage, extKeyUsages } = computeUsages(spec.usages, spec.isCA);
    return [
      ...(keyUsage ? [{ oid: KEY_USAGE_OID, critical: true, value: encodeKeyUsage(keyUsage) }] : []),
      ...(extKeyUsages.length ? [{ oid: EXT_KEY_USAGE_OID, critical: false, value: encodeExtKeyUsage(extKeyUsages) }] : []),
    ];
  },
  function nameConstraints(spec) {
    if (!spec.nameConstraints) return [];
    return [{ oid: NAME_CONSTRAINTS_OID, critical: spec.nameConstraints.critical ?? false, value: encodeNameConstraints(spec.nameConstraints) }];
  },
];

/**
 * A PKCS#10 request for `spec`, signed by `privateKey` (cert-manager's GenerateCSR): subject from
 * `literalSubject` or the subject fields, SANs, usages unless `encodeUsagesInRequest: false`,
 * name constraints, and `signatureAlgorithm` or the key's default. Returns PEM.
 */
export async function generateCsr(spec: CertificateRequestSpec, privateKey: KeyObject): Promise<string> {
  return encodePem(csrDer(spec, privateKey), 'CERTIFICATE REQUEST');
}

/**
 * generateCsr, returned parsed and marked as verified: it was just signed with `privateKey`, so a
 * signer in this process need not parse it or check its signature again (signCertificate).
 */
export async function generateVerifiedCsr(spec: CertificateRequestSpec, privateKey: KeyObject): Promise<VerifiedCsr> {
  const csr = parseCsr(csrDer(spec, privateKey));
  return { [VERIFIED]: true, csr, publicKey: privateKey.type === 'public' ? privateKey : createPublicKey(privateKey) };
}

function csrDer(spec: CertificateRequestSpec, privateKey: KeyObject): Buffer {
  if (!commonNameForSpec(spec) && hasNoSubjectAltNames(spec)) {
    throw new PkiError('CSR_INVALID', 'no common name, DNS name, URI SAN, Email SAN, IP or OtherName SAN specified on certificate');
  }
  const rawSubject = encodeRdnSequence(subjectRdnsForSpec(spec));
  const subjectEmpty = isEmptyName(rawSubject);
  const extensions = csrExtensionBuilders.flatMap((build) => build(spec, subjectEmpty));
  const algorithm = signatureAlgorithmFor(privateKey, spec.signatureAlgorithm);
  // RFC 2986: CertificationRequestInfo { version 0, subject, SPKI, [0] attributes }; the extensions travel in an extensionRequest attribute.
  const attributes = extensions.length ? [derSequence(derOid(EXTENSION_REQUEST_OID), derSetOf([encodeExtensions(extensions)]))] : [];
  const info = derSequence(derSmallInteger(0), rawSubject, spkiOf(privateKey), derContext(0, true, ...attributes));
  return derSequence(info, signatureAlgorithmIdentifier(algorithm), derBitString(signData(privateKey, algorithm, info)));
}

export interface CsrInfo extends NamesAndUsages {
  der: Buffer;
  pem: string;
  extensions: ExtensionMap;
}

/** Parses a PKCS#10 request (PEM or DER; limited to MAX_CERTIFICATE_SIZE). Does not check its signature. */
export function parseCsr(input: PemOrDer): CsrInfo {
  const der = firstDerObject(input, CSR_PEM_LABELS, { maxBytes: MAX_CERTIFICATE_SIZE, what: 'certificate request' });
  const structure = readCsrStructure(der);
  const extensions = extensionMap(structure.extensions);
  return Object.assign(namesAndUsages(structure.subject, extensions, structure.spki, 'CSR_MALFORMED'), { der, pem: encodePem(der, 'CERTIFICATE REQUEST'), extensions });
}

function signatureInvalid(why: string): never {
  throw new PkiError('CSR_SIGNATURE_INVALID', `certificate request signature ${why}`);
}

/** The request's public key, once its self-signature verifies with it (CSR_SIGNATURE_INVALID otherwise). */
export function verifiedCsrPublicKey(csr: Pick<CsrInfo, 'der'>): KeyObject {
  let structure;
  let publicKey;
  try {
    structure = readCsrStructure(csr.der);
    publicKey = publicKeyFromSpki(structure.spki);
  } catch {
    return signatureInvalid('does not verify with its public key');
  }
  const verified = signatureVerifies(structure.signatureAlgorithm, structure.signed, structure.signature, publicKey);
  if (verified === undefined) signatureInvalid(`uses an unsupported algorithm (${structure.signatureAlgorithm.oid})`);
  if (!verified) signatureInvalid('does not verify with its public key');
  return publicKey;
}

const VERIFIED: unique symbol = Symbol('certwright.pki.VerifiedCsr');

/** A parsed CSR whose self-signature is known to hold, with its public key (verifyCsr, generateVerifiedCsr). */
export interface VerifiedCsr {
  readonly [VERIFIED]: true;
  readonly csr: CsrInfo;
  readonly publicKey: KeyObject;
}

export function isVerifiedCsr(value: unknown): value is VerifiedCsr {
  return typeof value === 'object' && value !== null && VERIFIED in value;
}

/** Parses (when given PEM or DER) and verifies a request once; CSR_SIGNATURE_INVALID when its signature does not hold. */
export function verifyCsr(request: PemOrDer | CsrInfo): VerifiedCsr {
  const csr = typeof request === 'string' || request instanceof Uint8Array ? parseCsr(request) : request;
  return { [VERIFIED]: true, csr, publicKey: verifiedCsrPublicKey(csr) };
}

/** Throws CSR_SIGNATURE_INVALID unless the request is signed by its own key. */
export function verifyCsrSignatureSync(csr: Pick<CsrInfo, 'der'>): void {
  verifiedCsrPublicKey(csr);
}

/** verifyCsrSignatureSync, kept asynchronous for existing callers. */
export async function verifyCsrSignature(csr: CsrInfo): Promise<void> {
  verifiedCsrPublicKey(csr);
}
