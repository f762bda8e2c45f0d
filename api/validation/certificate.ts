/**
 * Certificate rules (reference §1.6, `internal/apis/certmanager/validation/certificate.go`):
 * create and update run the same spec checks, in cert-manager's order, collecting every error.
 */
import {
  MAX_RSA_KEY_SIZE,
  MINIMUM_CERTIFICATE_DURATION_MS,
  MINIMUM_RENEW_BEFORE_MS,
  MIN_RSA_KEY_SIZE,
  DEFAULT_CERTIFICATE_DURATION_MS,
  ECDSA_KEY_SIZES,
} from '../defaults.js';
import { formatDuration } from '../duration.js';
import { duplicate, forbidden, invalid, notSupported, required, tooLong, type FieldError } from '../field-errors.js';
import { OID, isKnownUsage, isPkiError, parseLiteralSubject, type RdnSequence } from '../../pki/index.js';
import type { Certificate, CertificateSpec, PrivateKeyAlgorithm, SignatureAlgorithm } from '../types.js';
import { parseDurationField, validateIssuerRef, validateSecretKeySelector } from './references.js';
import {
  cronProblem,
  dns1123SubdomainProblems,
  emailAddressProblem,
  isAbsoluteURI,
  isCIDR,
  isIPAddress,
  isObjectIdentifier,
  isTimezone,
  validateAnnotations,
  validateLabels,
} from './syntax.js';

type Rule = (spec: CertificateSpec, path: string) => FieldError[];

function validateSecretName(spec: CertificateSpec, path: string): FieldError[] {
  if (!spec.secretName) return [required(`${path}.secretName`, 'must be specified')];
  return dns1123SubdomainProblems(spec.secretName).map((m) => invalid(`${path}.secretName`, spec.secretName, m));
}

const validateCertificateIssuerRef: Rule = (spec, path) => validateIssuerRef(spec.issuerRef, `${path}.issuerRef`);

function hasSubjectFields(subject: CertificateSpec['subject']): boolean {
  if (!subject) return false;
  const { serialNumber, ...lists } = subject;
  return Boolean(serialNumber) || Object.values(lists).some((list) => Array.isArray(list) && list.length > 0);
}

/** The literal subject's RDNs (X.509 order) plus its problems; no RDNs when it does not parse. */
function inspectLiteralSubject(spec: CertificateSpec, path: string): { rdns: RdnSequence; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const text = spec.literalSubject!;
  if (spec.commonName) {
    errors.push(invalid(`${path}.commonName`, spec.commonName, 'When providing a `LiteralSubject` no `commonName` may be provided.'));
  }
  if (hasSubjectFields(spec.subject)) {
    errors.push(invalid(`${path}.subject`, spec.subject, 'When providing a `LiteralSubject` no `Subject` properties may be provided.'));
  }
  let rdns: RdnSequence = [];
  try {
    rdns = parseLiteralSubject(text);
  } catch (e) {
    // Unknown attribute keys and malformed strings both land here, with pki/'s explanation.
    if (!isPkiError(e)) throw e;
    errors.push(invalid(`${path}.literalSubject`, text, e.message));
  }
  return { rdns, errors };
}

/** The common name in effect: the field, or the CN inside `literalSubject` (last in X.509 order wins, like Go). */
function effectiveCommonName(spec: CertificateSpec, rdns: RdnSequence): string {
  let cn = spec.commonName ?? '';
  for (const attribute of rdns.flat()) if (attribute.type === OID.commonName) cn = attribute.value;
  return cn;
}

function validateSubjectAndIdentities(spec: CertificateSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  let rdns: RdnSequence = [];
  if (spec.literalSubject) {
    const literal = inspectLiteralSubject(spec, path);
    rdns = literal.rdns;
    errors.push(...literal.errors);
  }
  const commonName = effectiveCommonName(spec, rdns);
  const nonEmpty = (list: readonly unknown[] | undefined) => (list?.length ?? 0) > 0;
  if (
    commonName === '' &&
    !nonEmpty(spec.dnsNames) &&
    !nonEmpty(spec.uris) &&
    !nonEmpty(spec.emailAddresses) &&
    !nonEmpty(spec.ipAddresses) &&
    !nonEmpty(spec.otherNames)
  ) {
    errors.push(
      invalid(
        path,
        '',
        'at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set',
      ),
    );
  }
  if (commonName.length > 64) errors.push(tooLong(`${path}.commonName`, 64));
  return errors;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function validateSubjectAltNames(spec: CertificateSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  spec.ipAddresses?.forEach((ip, i) => {
    if (!isIPAddress(ip)) errors.push(invalid(`${path}.ipAddresses[${i}]`, ip, 'invalid IP address'));
  });
  spec.emailAddresses?.forEach((email, i) => {
    const problem = emailAddressProblem(email);
    if (problem) errors.push(invalid(`${path}.emailAddresses[${i}]`, email, problem));
  });
  spec.uris?.forEach((uri, i) => {
    if (!isAbsoluteURI(uri)) {
      errors.push(invalid(`${path}.uris[${i}]`, uri, 'must be an absolute URI with a scheme, e.g. spiffe://cluster.local/ns/default/sa/app'));
    }
  });
  spec.otherNames?.forEach((otherName, i) => {
    const at = `${path}.otherNames[${i}]`;
    if (!otherName.oid) errors.push(required(`${at}.oid`, 'must be specified'));
    else if (!isObjectIdentifier(otherName.oid)) errors.push(invalid(`${at}.oid`, otherName.oid, 'invalid oid syntax'));
    if (!otherName.utf8Value || LONE_SURROGATE.test(otherName.utf8Value)) {
      errors.push(required(`${at}.utf8Value`, 'must be set to a valid non-empty UTF8 string'));
    }
  });
  return errors;
}

const allowedSignatureAlgorithms: Record<PrivateKeyAlgorithm, SignatureAlgorithm[]> = {
  RSA: ['SHA256WithRSA', 'SHA384WithRSA', 'SHA512WithRSA'],
  ECDSA: ['ECDSAWithSHA256', 'ECDSAWithSHA384', 'ECDSAWithSHA512'],
  Ed25519: ['PureEd25519'],
};

function validatePrivateKey(spec: CertificateSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const key = spec.privateKey;
  const size = key?.size ?? 0;
  if (key) {
    switch (key.algorithm ?? '') {
      case '':
      case 'RSA':
        if (size > 0 && (size < MIN_RSA_KEY_SIZE || size > MAX_RSA_KEY_SIZE)) {
          errors.push(invalid(`${path}.privateKey.size`, size, `must be between ${MIN_RSA_KEY_SIZE} and ${MAX_RSA_KEY_SIZE} for rsa keyAlgorithm`));
        }
        break;
      case 'ECDSA':
        if (size > 0 && !ECDSA_KEY_SIZES.includes(size)) {
          errors.push(notSupported(`${path}.privateKey.size`, size, ECDSA_KEY_SIZES.map(String)));
        }
        break;
      case 'Ed25519':
        break;
      default:
        errors.push(invalid(`${path}.privateKey.algorithm`, key.algorithm, 'must be either empty or one of rsa, ecdsa or ed25519'));
    }
    if (size < 0) errors.push(invalid(`${path}.privateKey.size`, size, 'must not be negative'));
  }
  if (spec.signatureAlgorithm) {
    const algorithm: PrivateKeyAlgorithm = key?.algorithm || 'RSA';
    const allowed = allowedSignatureAlgorithms[algorithm];
    if (allowed && !allowed.includes(spec.signatureAlgorithm)) {
      errors.push(
        invalid(
          `${path}.signatureAlgorithm`,
          spec.signatureAlgorithm,
          `for key algorithm ${algorithm} the allowed signature algorithms are [${allowed.join(' ')}]`,
        ),
      );
    }
  }
  return errors;
}

/**
 * Lifetime rules. Like cert-manager's `ValidateDuration` they only run when `duration` or
 * `renewBefore` is set — so `renewBeforePercentage` alone is not range-checked (reference §10).
 */
function validateDurations(spec: CertificateSpec, path: string): FieldError[] {
  if (spec.duration === undefined && spec.renewBefore === undefined) return [];
  const errors: FieldError[] = [];
  const parsedDuration = parseDurationField(spec.duration, `${path}.duration`, errors);
  const renewBefore = parseDurationField(spec.renewBefore, `${path}.renewBefore`, errors);
  if (spec.duration !== undefined && parsedDuration === undefined) return errors;
  const duration = parsedDuration ?? DEFAULT_CERTIFICATE_DURATION_MS;

  if (duration < MINIMUM_CERTIFICATE_DURATION_MS) {
    errors.push(
      invalid(`${path}.duration`, spec.duration, `certificate duration must be at least ${formatDuration(MINIMUM_CERTIFICATE_DURATION_MS)}`),
    );
  }
  if (spec.renewBefore !== undefined && spec.renewBeforePercentage !== undefined) {
    const message = 'renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set';
    errors.push(invalid(`${path}.renewBefore`, spec.renewBefore, message));
    errors.push(invalid(`${path}.renewBeforePercentage`, spec.renewBeforePercentage, message));
  }
  if (renewBefore !== undefined && renewBefore < MINIMUM_RENEW_BEFORE_MS) {
    errors.push(
      invalid(`${path}.renewBefore`, spec.renewBefore, `certificate renewBefore must be at least ${formatDuration(MINIMUM_RENEW_BEFORE_MS)}`),
    );
  }
  if (renewBefore !== undefined && renewBefore >= duration) {
    errors.push(
      invalid(
        `${path}.renewBefore`,
        spec.renewBefore,
        `certificate duration ${formatDuration(duration)} must be greater than renewBefore ${formatDuration(renewBefore)}`,
      ),
    );
  }
  const pct = spec.renewBeforePercentage;
  if (pct !== undefined) {
    // cert-manager's webhook derives renewBefore as duration × (100 − pct) / 100 (reference §1.2).
    const derived = (duration * (100 - pct)) / 100;
    if (derived < MINIMUM_RENEW_BEFORE_MS) {
      errors.push(
        invalid(
          `${path}.renewBeforePercentage`,
          pct,
          `certificate renewBeforePercentage must result in a renewBefore of at least ${formatDuration(MINIMUM_RENEW_BEFORE_MS)}`,
        ),
      );
    }
    if (derived >= duration) {
      errors.push(invalid(`${path}.renewBeforePercentage`, pct, 'certificate renewBeforePercentage must result in a renewBefore less than duration'));
    }
  }
  return errors;
}

function validateUsagesAndHistory(spec: CertificateSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  spec.usages?.forEach((usage, i) => {
    if (!isKnownUsage(usage)) errors.push(invalid(`${path}.usages[${i}]`, usage, 'unknown keyusage'));
  });
  if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit < 1) {
    errors.push(invalid(`${path}.revisionHistoryLimit`, spec.revisionHistoryLimit, 'must not be less than 1'));
  }
  return errors;
}

function validateSecretTemplate(spec: CertificateSpec, path: string): FieldError[] {
  const template = spec.secretTemplate;
  if (!template) return [];
  const errors: FieldError[] = [];
  if (template.labels) errors.push(...validateLabels(template.labels, `${path}.secretTemplate.labels`));
  if (template.annotations) {
    const field = `${path}.secretTemplate.annotations`;
    for (const key of Object.keys(template.annotations).sort()) {
      if (key.startsWith('cert-manager.io/') && key !== 'cert-manager.io/allow-direct-injection') {
        errors.push(invalid(field, key, 'cert-manager.io/* annotations are not allowed'));
      }
    }
    errors.push(...validateAnnotations(template.annotations, field));
  }
  return errors;
}

function validateNameConstraints(spec: CertificateSpec, path: string): FieldError[] {
  const constraints = spec.nameConstraints;
  if (!constraints) return [];
  const errors: FieldError[] = [];
  if (!spec.isCA) errors.push(invalid(`${path}.nameConstraints`, constraints, 'isCa should be true when nameConstraints is set'));
  if (!constraints.permitted && !constraints.excluded) {
    errors.push(invalid(`${path}.nameConstraints`, constraints, 'either permitted or excluded must be set'));
  }
  for (const which of ['permitted', 'excluded'] as const) {
    constraints[which]?.ipRanges?.forEach((range, i) => {
      if (!isCIDR(range)) {
        errors.push(invalid(`${path}.nameConstraints.${which}.ipRanges[${i}]`, range, 'must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32'));
      }
    });
  }
  return errors;
}

function validateAdditionalOutputFormats(spec: CertificateSpec, path: string): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const format of spec.additionalOutputFormats ?? []) {
    if (seen.has(format.type)) errors.push(duplicate(`${path}.additionalOutputFormats[type]`, format.type));
    seen.add(format.type);
  }
  return errors;
}

function validateKeystores(spec: CertificateSpec, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const stores = [
    ['jks', 'JKS', spec.keystores?.jks],
    ['pkcs12', 'PKCS#12', spec.keystores?.pkcs12],
  ] as const;
  for (const [key, label, store] of stores) {
    if (!store) continue;
    const at = `${path}.keystores.${key}`;
    const hasPassword = store.password !== undefined;
    const hasSecretRef = Boolean(store.passwordSecretRef?.name);
    if (hasPassword && hasSecretRef) {
      errors.push(forbidden(at, `exactly one of passwordSecretRef and password must be provided for ${label} keystores; cannot set both`));
    }
    if (!hasPassword && !hasSecretRef) {
      errors.push(forbidden(at, `must set exactly one of passwordSecretRef and password for ${label} keystores`));
    }
    if (hasPassword && store.password === '') {
      errors.push(forbidden(`${at}.password`, `literal password cannot be empty if set on ${label} keystores`));
    }
    if (store.passwordSecretRef) errors.push(...validateSecretKeySelector(store.passwordSecretRef, `${at}.passwordSecretRef`));
  }
  return errors;
}

function validateRenewal(spec: CertificateSpec, path: string): FieldError[] {
  const renewal = spec.renewal;
  if (!renewal) return [];
  const errors: FieldError[] = [];
  if (renewal.policy === 'Disabled') {
    if ((renewal.windows?.length ?? 0) > 0) {
      errors.push(forbidden(`${path}.renewal.windows`, 'windows cannot be set when `renewal.policy` is set to Disabled'));
    }
    return errors;
  }
  renewal.windows?.forEach((window, i) => {
    const at = `${path}.renewal.windows[${i}]`;
    const length = window.windowDuration ? parseDurationField(window.windowDuration, `${at}.windowDuration`, errors) : undefined;
    if (!window.windowDuration || length === 0) {
      errors.push(required(`${at}.windowDuration`, 'windowDuration must be specified and should be greater than 0'));
    }
    if (window.timezone && !isTimezone(window.timezone)) {
      errors.push(invalid(`${at}.timezone`, window.timezone, 'invalid value for timezone. timezone must be IANA compliant'));
    }
    const problem = cronProblem(window.cron ?? '');
    if (problem) {
      errors.push(
        invalid(
          `${at}.cron`,
          window.cron,
          `invalid cron syntax: ${problem}. cron needs to follow: cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow`,
        ),
      );
    }
  });
  return errors;
}

/** cert-manager's `ValidateCertificateSpec`, one rule per concern, in its order. */
const specRules: readonly Rule[] = [
  validateSecretName,
  validateCertificateIssuerRef,
  validateSubjectAndIdentities,
  validateSubjectAltNames,
  validatePrivateKey,
  validateDurations,
  validateUsagesAndHistory,
  validateSecretTemplate,
  validateNameConstraints,
  validateAdditionalOutputFormats,
  validateKeystores,
  validateRenewal,
];

export function certificateSpecErrors(spec: CertificateSpec, path = 'spec'): FieldError[] {
  return specRules.flatMap((rule) => rule(spec, path));
}

/** Semantic rules of a Certificate write; updates run the same checks as creates. */
export function certificateRules(certificate: Certificate): FieldError[] {
  return certificateSpecErrors(certificate.spec ?? ({} as CertificateSpec));
}
