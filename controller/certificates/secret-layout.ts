/**
 * The Secret a Certificate's issuance produces (§3), as a server-side-apply configuration holding
 * exactly the fields certwright manages, and the post-issuance checks (§2.3) that say when an
 * existing Secret has drifted from it. Only keys certwright manages are compared: labels,
 * annotations and data keys other actors added are never reported, so applying never removes them.
 */
import type { KeyObject } from 'node:crypto';
import type { V1ManagedFieldsEntry, V1OwnerReference, V1Secret } from '@kubernetes/client-node';
import type { Certificate, IssuerReference } from '../../api/types.js';
import { certificateDurationFor, issuerKindFor, jksAliasFor, pkcs12ProfileFor, privateKeyEncodingFor } from '../../api/defaults.js';
import {
  combinedPemOutput,
  decodePemBlocks,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  MAX_PRIVATE_KEY_SIZE,
  parseCertificate,
  parsePrivateKey,
  privateKeyDerOutput,
  selfSignCertificate,
  signCertificate,
  type CertificateInfo,
  loadKeystoreEncoders,
  type KeystoreEncoders,
} from '../../pki/index.js';
import { isControllerKey } from './metadata.js';
import { ALT_NAMES_ANNOTATION, CERTIFICATE_NAME_ANNOTATION, COMBINED_PEM_KEY, COMMON_NAME_ANNOTATION, DER_PRIVATE_KEY_KEY, EMAIL_SANS_ANNOTATION, IP_SANS_ANNOTATION, ISSUER_GROUP_ANNOTATION, ISSUER_KIND_ANNOTATION, ISSUER_NAME_ANNOTATION, JKS_KEYSTORE_KEY, JKS_TRUSTSTORE_KEY, PART_OF_CONTROLLER_LABEL, PKCS12_KEYSTORE_KEY, PKCS12_TRUSTSTORE_KEY, SUBJECT_COUNTRIES_ANNOTATION, SUBJECT_LOCALITIES_ANNOTATION, SUBJECT_ORGANIZATIONAL_UNITS_ANNOTATION, SUBJECT_ORGANIZATIONS_ANNOTATION, SUBJECT_POSTAL_CODES_ANNOTATION, SUBJECT_PROVINCES_ANNOTATION, SUBJECT_SERIAL_NUMBER_ANNOTATION, SUBJECT_STREET_ADDRESSES_ANNOTATION, TLS_CA_KEY, TLS_CERTIFICATE_KEY, TLS_PRIVATE_KEY_KEY, TLS_SECRET_TYPE, URI_SANS_ANNOTATION } from '../../api/well-known.js';
import { list as goList, type Violation } from './policies.js';
import { csrSpecFor } from './requests.js';
import { secretDataBytes } from './secret-state.js';

/** The field manager certwright applies Secrets under. */
export const DEFAULT_FIELD_MANAGER = 'certwright';

/**
 * Go's encoding/csv for one record, as cert-manager's JoinWithEscapeCSV writes subject
 * annotations: a field is quoted (inner quotes doubled) when it holds a comma, quote, CR or LF,
 * starts with white space, or is exactly `\.`.
 */
export function joinWithEscapeCsv(fields: readonly string[]): string {
  return fields
    .map((field) => {
      const needsQuotes = field !== '' && (field === '\\.' || /[",\r\n]/.test(field) || /^\s/u.test(field));
      return needsQuotes ? `"${field.replaceAll('"', '""')}"` : field;
    })
    .join(',');
}

/**
 * The annotations describing an issued certificate (cert-manager's AnnotationsForCertificate):
 * common name, DNS/IP/URI SANs always; emails and each subject field only when non-empty.
 */
export function certificateDetailsAnnotations(leaf: CertificateInfo): Record<string, string> {
  const subject = leaf.subjectFields;
  const optional: Record<string, string> = {
    [SUBJECT_ORGANIZATIONS_ANNOTATION]: joinWithEscapeCsv(subject.organizations),
    [SUBJECT_ORGANIZATIONAL_UNITS_ANNOTATION]: joinWithEscapeCsv(subject.organizationalUnits),
    [SUBJECT_COUNTRIES_ANNOTATION]: joinWithEscapeCsv(subject.countries),
    [SUBJECT_PROVINCES_ANNOTATION]: joinWithEscapeCsv(subject.provinces),
    [SUBJECT_LOCALITIES_ANNOTATION]: joinWithEscapeCsv(subject.localities),
    [SUBJECT_POSTAL_CODES_ANNOTATION]: joinWithEscapeCsv(subject.postalCodes),
    [SUBJECT_STREET_ADDRESSES_ANNOTATION]: joinWithEscapeCsv(subject.streetAddresses),
    [SUBJECT_SERIAL_NUMBER_ANNOTATION]: subject.serialNumber,
    [EMAIL_SANS_ANNOTATION]: leaf.emailAddresses.join(','),
  };
  return {
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== '')),
    [COMMON_NAME_ANNOTATION]: leaf.commonName,
    [ALT_NAMES_ANNOTATION]: leaf.dnsNames.join(','),
    [IP_SANS_ANNOTATION]: leaf.ipAddresses.join(','),
    [URI_SANS_ANNOTATION]: leaf.uris.join(','),
  };
}

/** Resolved keystore passwords: from `password` in the spec, or read from `passwordSecretRef`. */
export interface KeystorePasswords {
  jks?: string;
  pkcs12?: string;
}

export interface DesiredSecretInput {
  certificate: Certificate;
  /** The private key (any PEM encoding; the next-key Secret holds PKCS#8). */
  privateKeyPem: string;
  /** `privateKeyPem` parsed, when the caller has it: it is then not parsed again. */
  privateKey?: KeyObject;
  /** Leaf then chain, from the CertificateRequest's `status.certificate`. */
  certificatePem: string;
  /** The leaf of `certificatePem` parsed, when the caller has it. */
  leaf?: CertificateInfo;
  /** The CertificateRequest's `status.ca`; written as `ca.crt` only when non-empty. */
  caPem?: string;
  /** The issuerRef of the CertificateRequest that produced the certificate. */
  issuerRef: IssuerReference;
  /** Passwords read from `passwordSecretRef`s; an inline `password` in the spec is used as is. */
  keystorePasswords?: KeystorePasswords;
  /** `loadKeystoreEncoders()`: required when `spec.keystores` creates any. */
  keystoreEncoders?: KeystoreEncoders;
  /** Controller reference to the Certificate (`--enable-certificate-owner-ref`). */
  ownerRef?: V1OwnerReference;
  /** Type of the existing Secret, which is kept (the type is immutable); new Secrets are `kubernetes.io/tls`. */
  existingType?: string;
  /** Entry creation time stamped into JKS keystores; default now. */
  now?: Date;
}

const base64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

function keystorePassword(kind: 'jks' | 'pkcs12', inline: string | undefined, resolved: string | undefined, certificate: Certificate): string {
  const password = resolved ?? inline;
  if (password !== undefined) return password;
  const label = kind === 'jks' ? 'JKS' : 'PKCS#12';
  const ref = certificate.spec.keystores?.[kind]?.passwordSecretRef;
  throw new Error(`${label} keystore password is not known: read Secret ${JSON.stringify(ref?.name ?? '')} key ${JSON.stringify(ref?.key ?? '')} first`);
}

/** The `keystoreEncoders` input for `certificate`: loaded only when its spec creates a keystore. */
export async function keystoreEncodersFor(certificate: Certificate): Promise<Pick<DesiredSecretInput, 'keystoreEncoders'>> {
  const { jks, pkcs12 } = certificate.spec.keystores ?? {};
  return jks?.create || pkcs12?.create ? { keystoreEncoders: await loadKeystoreEncoders() } : {};
}

/** Keystore data keys per `spec.keystores` (truststores only when there is a CA). */
function keystoreData(input: Omit<DesiredSecretInput, 'issuerRef'>, privateKey: KeyObject, caPem: string | undefined): Record<string, string> {
  const { certificate } = input;
  const { jks, pkcs12 } = certificate.spec.keystores ?? {};
  const data: Record<string, string> = {};
  if (!jks?.create && !pkcs12?.create) return data;
  const encoders = input.keystoreEncoders;
  if (!encoders) throw new Error('keystores are requested but their encoders were not loaded (loadKeystoreEncoders)');
  const { encodeJksKeystore, encodeJksTruststore, encodePkcs12Keystore, encodePkcs12Truststore } = encoders;
  if (pkcs12?.create) {
    const password = keystorePassword('pkcs12', pkcs12.password, input.keystorePasswords?.pkcs12, certificate);
    const profile = pkcs12ProfileFor(pkcs12);
    data[PKCS12_KEYSTORE_KEY] = base64(encodePkcs12Keystore({ privateKey, certificate: input.certificatePem, ...(caPem ? { ca: caPem } : {}), password, profile }));
    if (caPem) data[PKCS12_TRUSTSTORE_KEY] = base64(encodePkcs12Truststore({ ca: caPem, password, profile }));
  }
  if (jks?.create) {
    const password = keystorePassword('jks', jks.password, input.keystorePasswords?.jks, certificate);
    const now = input.now ?? new Date();
    data[JKS_KEYSTORE_KEY] = base64(encodeJksKeystore({ privateKey, certificate: input.certificatePem, ...(caPem ? { ca: caPem } : {}), password, alias: jksAliasFor(jks), now }));
    if (caPem) data[JKS_TRUSTSTORE_KEY] = base64(encodeJksTruststore({ ca: caPem, password, now }));
  }
  return data;
}

/** The layout shared by issued and temporary certificates; issuer annotations only with an issuer. */
function secretLayout(input: Omit<DesiredSecretInput, 'issuerRef'>, issuerRef: IssuerReference | undefined): V1Secret {
  const { certificate } = input;
  const spec = certificate.spec;
  const privateKey = input.privateKey ?? parsePrivateKey(input.privateKeyPem);
  const tlsKey = encodePrivateKeyPem(privateKey, privateKeyEncodingFor(spec));
  const caPem = input.caPem && input.caPem.trim() !== '' ? input.caPem : undefined;
  const formats = new Set((spec.additionalOutputFormats ?? []).map((f) => f.type));
  const data: Record<string, string> = {
    [TLS_PRIVATE_KEY_KEY]: base64(tlsKey),
    [TLS_CERTIFICATE_KEY]: base64(input.certificatePem),
    ...(caPem ? { [TLS_CA_KEY]: base64(caPem) } : {}),
    ...(formats.has('DER') ? { [DER_PRIVATE_KEY_KEY]: base64(privateKeyDerOutput(tlsKey)) } : {}),
    ...(formats.has('CombinedPEM') ? { [COMBINED_PEM_KEY]: base64(combinedPemOutput(tlsKey, input.certificatePem)) } : {}),
    ...keystoreData(input, privateKey, caPem),
  };
  const annotations: Record<string, string> = {
    ...spec.secretTemplate?.annotations,
    ...certificateDetailsAnnotations(input.leaf ?? parseCertificate(input.certificatePem)),
    [CERTIFICATE_NAME_ANNOTATION]: certificate.metadata.name ?? '',
    ...(issuerRef
      ? {
          [ISSUER_NAME_ANNOTATION]: issuerRef.name,
          [ISSUER_KIND_ANNOTATION]: issuerKindFor(issuerRef),
          // cert-manager writes the group as set, empty when unset; readers default it.
          [ISSUER_GROUP_ANNOTATION]: issuerRef.group ?? '',
        }
      : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: spec.secretName,
      ...(certificate.metadata.namespace ? { namespace: certificate.metadata.namespace } : {}),
      labels: { ...spec.secretTemplate?.labels, [PART_OF_CONTROLLER_LABEL]: 'true' },
      annotations,
      ...(input.ownerRef ? { ownerReferences: [input.ownerRef] } : {}),
    },
    type: input.existingType || TLS_SECRET_TYPE,
    data,
  };
}

/**
 * The Secret to server-side apply after an issuance: every data key, label and annotation
 * certwright owns for this Certificate, and nothing else (so fields of other managers survive).
 * Throws a PkiError for unreadable key or certificate input, an Error for an unknown keystore password.
 */
export function desiredSecret(input: DesiredSecretInput): V1Secret {
  return secretLayout(input, input.issuerRef);
}

/** Subject serial number cert-manager stamps on temporary certificates. */
const TEMPORARY_CERTIFICATE_SERIAL_NUMBER = '1234567890';

/**
 * A throw-away certificate for the Secret while the real one is pending (§2.7, annotation
 * `cert-manager.io/issue-temporary-certificate: "true"`): a fresh EC P-521 CA `cert-manager.local`
 * signs a leaf for the spec's names and the next private key. Returns its PEM chain.
 */
export async function temporaryCertificatePem(certificate: Certificate, privateKeyPem: string, now: Date = new Date()): Promise<string> {
  const caKey = await generatePrivateKey({ algorithm: 'ECDSA', size: 521 });
  const caRequest = await generateCsr({ commonName: 'cert-manager.local', isCA: true, usages: ['cert sign'] }, caKey);
  const ca = await selfSignCertificate(caRequest, { isCA: true, usages: ['cert sign'], now }, caKey);
  const spec = csrSpecFor(certificate);
  const leafSpec = spec.literalSubject ? spec : { ...spec, subject: { ...spec.subject, serialNumber: TEMPORARY_CERTIFICATE_SERIAL_NUMBER } };
  const leafRequest = await generateCsr(leafSpec, parsePrivateKey(privateKeyPem));
  const leaf = await signCertificate(
    leafRequest,
    { durationMs: certificateDurationFor(certificate.spec), isCA: certificate.spec.isCA ?? false, usages: certificate.spec.usages ?? [], now },
    { certificate: ca.certificate.pem, privateKey: caKey },
  );
  return leaf.certificate.pem;
}

export interface TemporarySecretInput {
  certificate: Certificate;
  privateKeyPem: string;
  /** `privateKeyPem` parsed, when the caller has it. */
  privateKey?: KeyObject;
  /** From {@link temporaryCertificatePem}. */
  certificatePem: string;
  existingType?: string;
}

/**
 * The Secret holding a temporary certificate: key, certificate and the certificate-name and detail
 * annotations, but no issuer annotations and no `ca.crt`, so the real issuance replaces it.
 */
export function temporaryCertificateSecret(input: TemporarySecretInput): V1Secret {
  const { certificate } = input;
  // Only key and certificate: keystores and extra formats wait for the real certificate.
  const plain: Certificate = { ...certificate, spec: { ...certificate.spec, additionalOutputFormats: [], keystores: {} } };
  return secretLayout({ ...input, certificate: plain }, undefined);
}

/** Reasons of the post-issuance chain (cert-manager's constants). */
export const UpkeepReason = {
  SecretManagedMetadataMismatch: 'SecretManagedMetadataMismatch',
  SecretTemplateMismatch: 'SecretTemplateMismatch',
  AdditionalOutputFormatsMismatch: 'AdditionalOutputFormatsMismatch',
  SecretOwnerRefMismatch: 'SecretOwnerRefMismatch',
  SecretMismatch: 'SecretMismatch',
  /** The Secret's managedFields cannot be read: log it, do not retry. */
  ManagedFieldsParseError: 'ManagedFieldsParseError',
} as const;

/** What the field manager owns on the existing Secret, per its managedFields. */
export interface OwnedFields {
  labels: Set<string>;
  annotations: Set<string>;
  data: Set<string>;
  ownerReferenceUids: Set<string>;
}

class ManagedFieldsError extends Error {}

function childKeys(node: unknown, path: string): { fields: string[]; keys: string[] } {
  if (node === undefined) return { fields: [], keys: [] };
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new ManagedFieldsError(`${path} is not a field set`);
  const entries = Object.keys(node).filter((k) => k !== '.');
  return { fields: entries.filter((k) => k.startsWith('f:')).map((k) => k.slice(2)), keys: entries.filter((k) => k.startsWith('k:')).map((k) => k.slice(2)) };
}

function child(node: unknown, field: string): unknown {
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[`f:${field}`] : undefined;
}

/** Reads FieldsV1 of every managedFields entry of `fieldManager`; throws ManagedFieldsError when malformed. */
export function ownedFields(secret: V1Secret, fieldManager: string): OwnedFields {
  const owned: OwnedFields = { labels: new Set(), annotations: new Set(), data: new Set(), ownerReferenceUids: new Set() };
  const entries: V1ManagedFieldsEntry[] = secret.metadata?.managedFields ?? [];
  for (const entry of entries) {
    if (entry.manager !== fieldManager || entry.fieldsV1 === undefined) continue;
    const fields: unknown = entry.fieldsV1;
    const metadata = child(fields, 'metadata');
    childKeys(child(metadata, 'labels'), 'metadata.labels').fields.forEach((k) => owned.labels.add(k));
    childKeys(child(metadata, 'annotations'), 'metadata.annotations').fields.forEach((k) => owned.annotations.add(k));
    childKeys(child(fields, 'data'), 'data').fields.forEach((k) => owned.data.add(k));
    for (const key of childKeys(child(metadata, 'ownerReferences'), 'metadata.ownerReferences').keys) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(key);
      } catch {
        throw new ManagedFieldsError(`owner reference key ${key} is not JSON`);
      }
      const uid = (parsed as { uid?: unknown } | null)?.uid;
      if (typeof uid === 'string') owned.ownerReferenceUids.add(uid);
    }
  }
  return owned;
}

interface UpkeepInput {
  existing: V1Secret;
  desired: V1Secret;
  owned: OwnedFields;
}

type UpkeepCheck = (input: UpkeepInput) => Violation | undefined;

const sorted = (keys: Iterable<string>) => [...keys].sort();
const list = (keys: Iterable<string>) => goList(sorted(keys));

/** Owned keys of one kind that the desired Secret no longer has: applying would remove them. */
function extras(owned: Set<string>, desired: Record<string, string> | undefined, inScope: (key: string) => boolean): string[] {
  return sorted([...owned].filter((k) => inScope(k) && !(k in (desired ?? {}))));
}

const labelsOf = (s: V1Secret) => s.metadata?.labels ?? {};
const annotationsOf = (s: V1Secret) => s.metadata?.annotations ?? {};

const secretBaseLabelsMismatch: UpkeepCheck = function secretBaseLabelsMismatch({ existing, desired, owned }) {
  const want = Object.entries(labelsOf(desired)).filter(([k]) => isControllerKey(k));
  const missing = want.filter(([k]) => !(k in labelsOf(existing))).map(([k]) => k);
  if (missing.length) return { reason: UpkeepReason.SecretManagedMetadataMismatch, message: `Secret is missing these Managed Labels: ${list(missing)}` };
  for (const [key, value] of want) {
    const actual = labelsOf(existing)[key];
    if (actual !== value) {
      return { reason: UpkeepReason.SecretManagedMetadataMismatch, message: `wrong base label ${key} value ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}` };
    }
  }
  const extra = extras(owned.labels, labelsOf(desired), isControllerKey);
  if (extra.length) return { reason: UpkeepReason.SecretManagedMetadataMismatch, message: `Secret has these extra Labels: ${list(extra)}` };
  return undefined;
};

const secretCertificateDetailsAnnotationsMismatch: UpkeepCheck = function secretCertificateDetailsAnnotationsMismatch({ existing, desired, owned }) {
  const want = Object.entries(annotationsOf(desired)).filter(([k]) => isControllerKey(k));
  const missing = want.filter(([k]) => !(k in annotationsOf(existing))).map(([k]) => k);
  if (missing.length) return { reason: UpkeepReason.SecretManagedMetadataMismatch, message: `Secret is missing these Managed Annotations: ${list(missing)}` };
  for (const [key, value] of want.sort(([a], [b]) => (a < b ? -1 : 1))) {
    const actual = annotationsOf(existing)[key]!;
    if (actual !== value) return { reason: UpkeepReason.SecretTemplateMismatch, message: `Secret metadata ${actual} does not match certificate metadata ${value}` };
  }
  const extra = extras(owned.annotations, annotationsOf(desired), isControllerKey);
  if (extra.length) return { reason: UpkeepReason.SecretManagedMetadataMismatch, message: `Secret has these extra Annotations: ${list(extra)}` };
  return undefined;
};

const secretTemplateMismatch: UpkeepCheck = function secretTemplateMismatch({ existing, desired, owned }) {
  const isTemplateKey = (k: string) => !isControllerKey(k);
  const differs = (want: Record<string, string>, have: Record<string, string>) =>
    Object.entries(want).some(([k, v]) => isTemplateKey(k) && have[k] !== v);
  if (differs(annotationsOf(desired), annotationsOf(existing))) {
    return { reason: UpkeepReason.SecretTemplateMismatch, message: "Certificate's SecretTemplate Annotations missing or incorrect value on Secret" };
  }
  if (differs(labelsOf(desired), labelsOf(existing))) {
    return { reason: UpkeepReason.SecretTemplateMismatch, message: "Certificate's SecretTemplate Labels missing or incorrect value on Secret" };
  }
  const extraLabels = extras(owned.labels, labelsOf(desired), isTemplateKey);
  if (extraLabels.length) return { reason: UpkeepReason.SecretTemplateMismatch, message: `Secret has these extra Labels: ${list(extraLabels)}` };
  const extraAnnotations = extras(owned.annotations, annotationsOf(desired), isTemplateKey);
  if (extraAnnotations.length) return { reason: UpkeepReason.SecretTemplateMismatch, message: `Secret has these extra Annotations: ${list(extraAnnotations)}` };
  return undefined;
};

/** The label and DER of a PEM private key, so re-wrapped PEM of the same key compares equal. */
function privateKeyIdentity(bytes: Buffer | undefined): string | undefined {
  if (!bytes) return undefined;
  try {
    const [block] = decodePemBlocks(bytes.toString('utf8'), { maxBytes: MAX_PRIVATE_KEY_SIZE, what: 'private key' });
    return `${block!.label}:${block!.der.toString('base64')}`;
  } catch {
    return `raw:${bytes.toString('base64')}`;
  }
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a !== undefined && b !== undefined && a.equals(b);
}

/** `tls.key` in the spec's encoding, `tls.crt` and `ca.crt` as issued. */
const secretDataMismatch: UpkeepCheck = function secretDataMismatch({ existing, desired, owned }) {
  const keyWanted = privateKeyIdentity(secretDataBytes(desired, TLS_PRIVATE_KEY_KEY));
  if (keyWanted !== undefined && privateKeyIdentity(secretDataBytes(existing, TLS_PRIVATE_KEY_KEY)) !== keyWanted) {
    return { reason: UpkeepReason.SecretMismatch, message: `Secret data ${TLS_PRIVATE_KEY_KEY} is not in the private key encoding of the spec` };
  }
  for (const key of [TLS_CERTIFICATE_KEY, TLS_CA_KEY]) {
    const want = secretDataBytes(desired, key);
    if (want !== undefined && !sameBytes(want, secretDataBytes(existing, key))) {
      return { reason: UpkeepReason.SecretMismatch, message: `Secret data ${key} does not hold the issued certificate data` };
    }
  }
  const extra = extras(owned.data, desired.data, (k) => k === TLS_CA_KEY);
  if (extra.length) return { reason: UpkeepReason.SecretMismatch, message: `Secret has these extra data keys: ${list(extra)}` };
  return undefined;
};

const OUTPUT_FORMAT_KEYS = [DER_PRIVATE_KEY_KEY, COMBINED_PEM_KEY];

const secretAdditionalOutputFormatsMismatch: UpkeepCheck = function secretAdditionalOutputFormatsMismatch({ existing, desired, owned }) {
  for (const key of OUTPUT_FORMAT_KEYS) {
    const want = secretDataBytes(desired, key);
    if (want !== undefined && !sameBytes(want, secretDataBytes(existing, key))) {
      return { reason: UpkeepReason.AdditionalOutputFormatsMismatch, message: "Certificate's AdditionalOutputFormats doesn't match Secret Data" };
    }
  }
  if (extras(owned.data, desired.data, (k) => OUTPUT_FORMAT_KEYS.includes(k)).length) {
    return { reason: UpkeepReason.AdditionalOutputFormatsMismatch, message: "Certificate's AdditionalOutputFormats doesn't match Secret ManagedFields" };
  }
  return undefined;
};

const KEYSTORES = [
  { label: 'PKCS12', keys: [PKCS12_KEYSTORE_KEY, PKCS12_TRUSTSTORE_KEY] },
  { label: 'JKS', keys: [JKS_KEYSTORE_KEY, JKS_TRUSTSTORE_KEY] },
];

/** Keystores are re-encrypted with fresh salts on every write, so only their presence is compared. */
const secretKeystoreFormatMismatch: UpkeepCheck = function secretKeystoreFormatMismatch({ existing, desired, owned }) {
  for (const { label, keys } of KEYSTORES) {
    const missing = keys.filter((k) => secretDataBytes(desired, k) !== undefined && !secretDataBytes(existing, k)?.length);
    if (missing.length) return { reason: UpkeepReason.SecretMismatch, message: `${label} Keystore key does not contain data` };
    if (extras(owned.data, desired.data, (k) => keys.includes(k)).length) {
      return { reason: UpkeepReason.SecretMismatch, message: `${label} Keystore create disabled` };
    }
  }
  return undefined;
};

const secretOwnerReferenceMismatch: UpkeepCheck = function secretOwnerReferenceMismatch({ existing, desired, owned }) {
  const [wanted] = desired.metadata?.ownerReferences ?? [];
  if (!wanted) {
    if (owned.ownerReferenceUids.size === 0) return undefined;
    return { reason: UpkeepReason.SecretOwnerRefMismatch, message: 'unexpected managed Secret Owner Reference field on Secret --enable-certificate-owner-ref=false' };
  }
  const present = (existing.metadata?.ownerReferences ?? []).find((ref) => ref.uid === wanted.uid);
  const fields: Array<keyof V1OwnerReference> = ['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'];
  if (present && fields.every((f) => (present[f] ?? undefined) === (wanted[f] ?? undefined))) return undefined;
  return { reason: UpkeepReason.SecretOwnerRefMismatch, message: 'unexpected Secret Owner Reference value on Secret --enable-certificate-owner-ref=true' };
};

/** cert-manager's post-issuance chain, in order, over what certwright manages. */
export const secretUpkeepChain: readonly UpkeepCheck[] = [
  secretBaseLabelsMismatch,
  secretCertificateDetailsAnnotationsMismatch,
  secretTemplateMismatch,
  secretDataMismatch,
  secretAdditionalOutputFormatsMismatch,
  secretKeystoreFormatMismatch,
  secretOwnerReferenceMismatch,
];

/**
 * The first way `existing` has drifted from `desired` (built by {@link desiredSecret} from what
 * the Secret holds), or undefined when applying `desired` would change nothing. Keys certwright
 * no longer wants are reported only if its field manager owns them.
 */
export function secretUpkeepViolation(existing: V1Secret, desired: V1Secret, options: { fieldManager?: string } = {}): Violation | undefined {
  let owned: OwnedFields;
  try {
    owned = ownedFields(existing, options.fieldManager ?? DEFAULT_FIELD_MANAGER);
  } catch (e) {
    if (!(e instanceof ManagedFieldsError)) throw e;
    return { reason: UpkeepReason.ManagedFieldsParseError, message: `failed to decode managed fields on Secret: ${e.message}` };
  }
  for (const check of secretUpkeepChain) {
    const violation = check({ existing, desired, owned });
    if (violation) return violation;
  }
  return undefined;
}
