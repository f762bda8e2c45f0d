/**
 * The annotations of an Ingress or Gateway, turned into what its Certificates ask for (reference
 * §4.1–§4.2): the issuer (cert-manager's `issuerForIngressLike`) and the spec fields
 * (`translateAnnotations`). Pure functions; a bad annotation is a `BadConfigError` whose message
 * names it and becomes the Warning `BadConfig` event.
 */
import type { CertificateSpec, IssuerReference } from '../../api/types.js';
import { CERT_MANAGER_GROUP } from '../../api/defaults.js';
import { parseDuration } from '../../api/duration.js';
import { formatFieldError, type FieldError } from '../../api/field-errors.js';
import { certificateSpecErrors } from '../../api/validation/certificate.js';
import { isIPAddress } from '../../api/validation/syntax.js';
import {
  ALT_NAMES_ANNOTATION,
  CLUSTER_ISSUER_ANNOTATION,
  COMMON_NAME_ANNOTATION,
  DURATION_ANNOTATION,
  EMAIL_SANS_ANNOTATION,
  IP_SANS_ANNOTATION,
  ISSUER_ANNOTATION,
  ISSUER_GROUP_ANNOTATION,
  ISSUER_KIND_ANNOTATION,
  PRIVATE_KEY_ALGORITHM_ANNOTATION,
  PRIVATE_KEY_ENCODING_ANNOTATION,
  PRIVATE_KEY_ROTATION_POLICY_ANNOTATION,
  PRIVATE_KEY_SIZE_ANNOTATION,
  RENEW_BEFORE_ANNOTATION,
  RENEW_BEFORE_PERCENTAGE_ANNOTATION,
  REVISION_HISTORY_LIMIT_ANNOTATION,
  SECRET_TEMPLATE_ANNOTATION,
  SUBJECT_COUNTRIES_ANNOTATION,
  SUBJECT_LOCALITIES_ANNOTATION,
  SUBJECT_ORGANIZATIONAL_UNITS_ANNOTATION,
  SUBJECT_ORGANIZATIONS_ANNOTATION,
  SUBJECT_POSTAL_CODES_ANNOTATION,
  SUBJECT_PROVINCES_ANNOTATION,
  SUBJECT_SERIAL_NUMBER_ANNOTATION,
  SUBJECT_STREET_ADDRESSES_ANNOTATION,
  USAGES_ANNOTATION,
} from '../../api/well-known.js';
import { isKnownUsage } from '../../pki/usages.js';
import { splitWithEscapeCsv } from './csv.js';

/** A configuration the object's owner has to fix; the message is the `BadConfig` event's. */
export class BadConfigError extends Error {
  override name = 'BadConfigError';
}

export type Annotations = Readonly<Record<string, string>>;

/** `--default-issuer-name/kind/group`. */
export interface IssuerDefaults {
  name: string;
  kind: string;
  group: string;
}

export const DEFAULT_ISSUER_DEFAULTS: IssuerDefaults = { name: '', kind: 'Issuer', group: CERT_MANAGER_GROUP };

/** Go's strconv.ParseBool, which `--auto-certificate-annotations` values go through. */
export function isTrueBoolean(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

/** The issuer the Certificates of an object with `annotations` name; the defaults fill in what they leave out. */
export function issuerForIngressLike(annotations: Annotations, defaults: IssuerDefaults = DEFAULT_ISSUER_DEFAULTS): IssuerReference {
  const issuer = annotations[ISSUER_ANNOTATION];
  const clusterIssuer = annotations[CLUSTER_ISSUER_ANNOTATION];
  const kind = annotations[ISSUER_KIND_ANNOTATION];
  const group = annotations[ISSUER_GROUP_ANNOTATION];
  const ref = { name: defaults.name, kind: defaults.kind, group: defaults.group };
  if (issuer !== undefined) Object.assign(ref, { name: issuer, kind: 'Issuer' });
  if (clusterIssuer !== undefined) Object.assign(ref, { name: clusterIssuer, kind: 'ClusterIssuer' });
  if (kind !== undefined) ref.kind = kind;
  if (group !== undefined) ref.group = group;

  const both = (a: string, b: string) => `both ${JSON.stringify(a)} and ${JSON.stringify(b)} may not be set`;
  const problems = [
    ref.name === '' && 'failed to determine issuer name to be used for ingress resource',
    issuer !== undefined && clusterIssuer !== undefined && both(ISSUER_ANNOTATION, CLUSTER_ISSUER_ANNOTATION),
    clusterIssuer !== undefined && group !== undefined && both(CLUSTER_ISSUER_ANNOTATION, ISSUER_GROUP_ANNOTATION),
    clusterIssuer !== undefined && kind !== undefined && both(CLUSTER_ISSUER_ANNOTATION, ISSUER_KIND_ANNOTATION),
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new BadConfigError(`Could not determine issuer for ingress due to bad annotations: ${problems.join(', ')}`);
  return ref;
}

const badAnnotation = (annotation: string, detail: string) => new BadConfigError(`invalid ingress annotation ${JSON.stringify(annotation)}: ${detail}`);

const commaList = (value: string) => value.split(',').map((item) => item.trim());

/** Go's strconv.ParseInt(value, 10, 32), with its error text. */
function parseInt32(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  const n = Number(value);
  if (n < -(2 ** 31) || n > 2 ** 31 - 1) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
  return n;
}

/** Go's encoding/json with DisallowUnknownFields into `{annotations, labels}` string maps. */
function parseSecretTemplate(value: string): NonNullable<CertificateSpec['secretTemplate']> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new Error(`error parsing secret template JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('error parsing secret template JSON: want an object with annotations and labels');
  const template: NonNullable<CertificateSpec['secretTemplate']> = {};
  for (const [field, map] of Object.entries(parsed)) {
    if (field !== 'annotations' && field !== 'labels') throw new Error(`error parsing secret template JSON: json: unknown field ${JSON.stringify(field)}`);
    if (map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      throw new Error(`error parsing secret template JSON: ${field} must map strings to strings`);
    }
    template[field] = map as Record<string, string>;
  }
  return template;
}

/** One annotation's effect on the spec being built; throws a plain Error with the detail when the value is bad. */
interface AnnotationRule {
  annotation: string;
  apply(value: string, spec: CertificateSpec): void;
}

const subjectRule = (annotation: string, field: keyof NonNullable<CertificateSpec['subject']>): AnnotationRule => ({
  annotation,
  apply: (value, spec) => {
    spec.subject = { ...spec.subject, [field]: field === 'serialNumber' ? value : splitWithEscapeCsv(value) };
  },
});

const appendUnique = (list: string[] | undefined, items: readonly string[]) => [...new Set([...(list ?? []), ...items])];

const RSA_KEY_SIZES = { min: 2048, max: 8192 };
const ECDSA_KEY_SIZES = [256, 384, 521];

/** cert-manager's `translateAnnotations`, in its order (the private key size is checked against the algorithm set before it). */
const annotationRules: readonly AnnotationRule[] = [
  { annotation: COMMON_NAME_ANNOTATION, apply: (value, spec) => void (spec.commonName = value) },
  { annotation: EMAIL_SANS_ANNOTATION, apply: (value, spec) => void (spec.emailAddresses = commaList(value)) },
  subjectRule(SUBJECT_ORGANIZATIONS_ANNOTATION, 'organizations'),
  subjectRule(SUBJECT_ORGANIZATIONAL_UNITS_ANNOTATION, 'organizationalUnits'),
  subjectRule(SUBJECT_COUNTRIES_ANNOTATION, 'countries'),
  subjectRule(SUBJECT_PROVINCES_ANNOTATION, 'provinces'),
  subjectRule(SUBJECT_LOCALITIES_ANNOTATION, 'localities'),
  subjectRule(SUBJECT_POSTAL_CODES_ANNOTATION, 'postalCodes'),
  subjectRule(SUBJECT_STREET_ADDRESSES_ANNOTATION, 'streetAddresses'),
  subjectRule(SUBJECT_SERIAL_NUMBER_ANNOTATION, 'serialNumber'),
  {
    annotation: IP_SANS_ANNOTATION,
    apply: (value, spec) => {
      const ips = commaList(value);
      const bad = ips.find((ip) => !isIPAddress(ip));
      if (bad !== undefined) throw new Error(`invalid IP address ${JSON.stringify(bad)}`);
      spec.ipAddresses = appendUnique(spec.ipAddresses, ips);
    },
  },
  { annotation: ALT_NAMES_ANNOTATION, apply: (value, spec) => void (spec.dnsNames = appendUnique(spec.dnsNames, commaList(value).filter(Boolean))) },
  {
    annotation: DURATION_ANNOTATION,
    apply: (value, spec) => {
      parseDuration(value);
      spec.duration = value;
    },
  },
  {
    annotation: RENEW_BEFORE_ANNOTATION,
    apply: (value, spec) => {
      parseDuration(value);
      spec.renewBefore = value;
    },
  },
  { annotation: RENEW_BEFORE_PERCENTAGE_ANNOTATION, apply: (value, spec) => void (spec.renewBeforePercentage = parseInt32(value)) },
  {
    annotation: USAGES_ANNOTATION,
    apply: (value, spec) => {
      const usages = commaList(value);
      const bad = usages.find((usage) => !isKnownUsage(usage));
      if (bad !== undefined) throw new Error(`invalid key usage name ${JSON.stringify(bad)}`);
      spec.usages = usages as CertificateSpec['usages'];
    },
  },
  {
    annotation: REVISION_HISTORY_LIMIT_ANNOTATION,
    apply: (value, spec) => {
      const limit = parseInt32(value);
      if (limit < 1) throw new Error(`revision history limit must be a positive number ${JSON.stringify(value)}`);
      spec.revisionHistoryLimit = limit;
    },
  },
  {
    annotation: PRIVATE_KEY_ALGORITHM_ANNOTATION,
    apply: (value, spec) => {
      if (value !== 'RSA' && value !== 'ECDSA' && value !== 'Ed25519') throw new Error(`invalid private key algorithm ${JSON.stringify(value)}`);
      spec.privateKey = { ...spec.privateKey, algorithm: value };
    },
  },
  {
    annotation: PRIVATE_KEY_ENCODING_ANNOTATION,
    apply: (value, spec) => {
      if (value !== 'PKCS1' && value !== 'PKCS8') throw new Error(`invalid private key encoding ${JSON.stringify(value)}`);
      spec.privateKey = { ...spec.privateKey, encoding: value };
    },
  },
  {
    annotation: PRIVATE_KEY_SIZE_ANNOTATION,
    apply: (value, spec) => {
      if (!/^[+-]?\d+$/.test(value)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
      const size = Number(value);
      const algorithm = spec.privateKey?.algorithm ?? 'RSA';
      if (algorithm === 'RSA' && (size < RSA_KEY_SIZES.min || size > RSA_KEY_SIZES.max)) throw new Error(`invalid private key size for RSA algorithm ${JSON.stringify(value)}`);
      if (algorithm === 'ECDSA' && !ECDSA_KEY_SIZES.includes(size)) throw new Error(`invalid private key size for ECDSA algorithm ${JSON.stringify(value)}`);
      spec.privateKey = { ...spec.privateKey, size };
    },
  },
  {
    annotation: PRIVATE_KEY_ROTATION_POLICY_ANNOTATION,
    apply: (value, spec) => {
      if (value !== 'Never' && value !== 'Always') throw new Error(`invalid private key rotation policy ${JSON.stringify(value)}`);
      spec.privateKey = { ...spec.privateKey, rotationPolicy: value };
    },
  },
  { annotation: SECRET_TEMPLATE_ANNOTATION, apply: (value, spec) => void (spec.secretTemplate = parseSecretTemplate(value)) },
];

/** Which annotation set a spec field, so a spec the API would reject is reported against it. */
const annotationOfField: ReadonlyArray<[prefix: string, annotation: string]> = [
  ['spec.commonName', COMMON_NAME_ANNOTATION],
  ['spec.emailAddresses', EMAIL_SANS_ANNOTATION],
  ['spec.ipAddresses', IP_SANS_ANNOTATION],
  ['spec.duration', DURATION_ANNOTATION],
  ['spec.renewBeforePercentage', RENEW_BEFORE_PERCENTAGE_ANNOTATION],
  ['spec.renewBefore', RENEW_BEFORE_ANNOTATION],
  ['spec.usages', USAGES_ANNOTATION],
  ['spec.revisionHistoryLimit', REVISION_HISTORY_LIMIT_ANNOTATION],
  ['spec.privateKey.algorithm', PRIVATE_KEY_ALGORITHM_ANNOTATION],
  ['spec.privateKey.encoding', PRIVATE_KEY_ENCODING_ANNOTATION],
  ['spec.privateKey.size', PRIVATE_KEY_SIZE_ANNOTATION],
  ['spec.privateKey.rotationPolicy', PRIVATE_KEY_ROTATION_POLICY_ANNOTATION],
  ['spec.secretTemplate', SECRET_TEMPLATE_ANNOTATION],
  ['spec.issuerRef', ISSUER_ANNOTATION],
];

function fieldErrorMessage(error: FieldError, annotations: Annotations): string {
  const annotation = annotationOfField.find(([prefix]) => error.field.startsWith(prefix))?.[1];
  if (annotation !== undefined && annotations[annotation] !== undefined) return badAnnotation(annotation, formatFieldError(error)).message;
  return `invalid Certificate ${JSON.stringify(error.field)}: ${formatFieldError(error)}`;
}

/**
 * `spec` with the object's annotations applied; throws `BadConfigError` naming the first bad
 * annotation, or the first rule of the Certificate API the result breaks (a duration under 1h,
 * cert-manager.io/ keys in the secret template, …), so no Certificate is written that the API
 * would reject.
 */
export function translateAnnotations(spec: CertificateSpec, annotations: Annotations): CertificateSpec {
  const translated: CertificateSpec = structuredClone(spec);
  for (const rule of annotationRules) {
    const value = annotations[rule.annotation];
    if (value === undefined) continue;
    try {
      rule.apply(value, translated);
    } catch (err) {
      throw badAnnotation(rule.annotation, (err as Error).message);
    }
  }
  const problems = certificateSpecErrors(translated);
  if (problems.length > 0) throw new BadConfigError(fieldErrorMessage(problems[0]!, annotations));
  return translated;
}
