import type { KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { Extensions } from '@peculiar/asn1-x509';
import { PkiError, parsingAs } from './errors.js';
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
import { extensionMap, namesAndUsages, type ExtensionMap, type NamesAndUsages } from './extensions.js';
import type { KeySpec } from './keys.js';
import { MAX_CERTIFICATE_SIZE } from './limits.js';
import { encodePem, firstDerObject, type PemOrDer } from './pem.js';
import { csrRawSubject } from './raw-fields.js';
import { signatureAlgorithmFor, webCryptoSigner } from './signature-algorithms.js';
import { computeUsages, encodeExtKeyUsage, encodeKeyUsage, EXT_KEY_USAGE_OID, KEY_USAGE_OID } from './usages.js';
import { x509 } from './x509.js';

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
const EXTENSION_REQUEST_OID = '1.2.840.113549.1.9.14';

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

interface RequestedExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

/** Each returns the extensions one part of the spec contributes to the CSR, in cert-manager's order. */
const csrExtensionBuilders: Array<(spec: CertificateRequestSpec, subjectEmpty: boolean) => RequestedExtension[]> = [
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
  if (!commonNameForSpec(spec) && hasNoSubjectAltNames(spec)) {
    throw new PkiError('CSR_INVALID', 'no common name, DNS name, URI SAN, Email SAN, IP or OtherName SAN specified on certificate');
  }
  const rawSubject = encodeRdnSequence(subjectRdnsForSpec(spec));
  const subjectEmpty = isEmptyName(rawSubject);
  const extensions = csrExtensionBuilders.flatMap((build) => build(spec, subjectEmpty));
  const signer = await webCryptoSigner(privateKey, signatureAlgorithmFor(privateKey, spec.signatureAlgorithm));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name(rawSubject),
    extensions: extensions.map((e) => new x509.Extension(e.oid, e.critical, e.value)),
    keys: signer.keys,
    signingAlgorithm: signer.algorithm,
  });
  return encodePem(Buffer.from(csr.rawData), 'CERTIFICATE REQUEST');
}

export interface CsrInfo extends NamesAndUsages {
  der: Buffer;
  pem: string;
  extensions: ExtensionMap;
}

/** Parses a PKCS#10 request (PEM or DER; limited to MAX_CERTIFICATE_SIZE). Does not check its signature. */
export function parseCsr(input: PemOrDer): CsrInfo {
  const der = firstDerObject(input, CSR_PEM_LABELS, { maxBytes: MAX_CERTIFICATE_SIZE, what: 'certificate request' });
  const request = parsingAs('CSR_MALFORMED', 'certificate request', () => AsnConvert.parse(der, CertificationRequest));
  const extensionRequest = request.certificationRequestInfo.attributes.find((a) => a.type === EXTENSION_REQUEST_OID);
  const extensionList = extensionRequest?.values[0]
    ? parsingAs('CSR_MALFORMED', 'requested extensions', () => AsnConvert.parse(extensionRequest.values[0]!, Extensions))
    : undefined;
  const extensions = extensionMap(extensionList);
  const spki = Buffer.from(AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo));
  return {
    ...namesAndUsages(csrRawSubject(der), extensions, spki, 'CSR_MALFORMED'),
    der,
    pem: encodePem(der, 'CERTIFICATE REQUEST'),
    extensions,
  };
}

/** Throws CSR_SIGNATURE_INVALID unless the request is signed by its own key. */
export async function verifyCsrSignature(csr: CsrInfo): Promise<void> {
  let valid = false;
  try {
    valid = await new x509.Pkcs10CertificateRequest(csr.der).verify();
  } catch {
    valid = false;
  }
  if (!valid) throw new PkiError('CSR_SIGNATURE_INVALID', 'certificate request signature does not verify with its public key');
}
