/**
 * cert-manager's policy chains (§2.3): small named checks over a Certificate, its Secret and the
 * CertificateRequest behind the current revision. A chain is a list; the first check that finds
 * a violation decides. The trigger chain decides whether to issue, the readiness chain whether
 * the Certificate is Ready, and the temporary-certificate chain whether a placeholder is needed.
 */
import type { Certificate, CertificateRequest } from '../../api/types.js';
import { issuerGroupFor, issuerKindFor } from '../../api/defaults.js';
import { publicKeysEqual } from '../../pki/index.js';
import { CERTIFICATE_NAME_ANNOTATION, ISSUER_GROUP_ANNOTATION, ISSUER_KIND_ANNOTATION, ISSUER_NAME_ANNOTATION } from '../../api/well-known.js';
import { renewalTime } from './renewal.js';
import { issuedCertificateMatchesSpec, parseRequestCsr, privateKeyMatchesSpec, requestMatchesSpec } from './request-matches-spec.js';
import type { PresentSecret, SecretState } from './secret-state.js';

export interface PolicyInput {
  certificate: Certificate;
  secret: SecretState;
  /** The CertificateRequest whose revision is `status.revision` (the one behind the Secret). */
  currentRequest?: CertificateRequest;
  /** Current time, ms since the epoch. */
  now: number;
  /**
   * Renewal time (ms) of the certificate now in the Secret, as the reconciler computes it with its
   * jitter setting; when absent it is computed here from the Secret's certificate with the default.
   */
  renewalTime?: number;
  /** ACME ARI suggested window (ms) for the certificate now in the Secret. */
  ariWindow?: { start: number; end: number };
}

export interface Violation {
  /** cert-manager's condition reason (`DoesNotExist`, `Renewing`, …). */
  reason: string;
  message: string;
  /** Something to tell the user alongside the violation (a Warning event). */
  warning?: { reason: string; message: string };
}

export type PolicyCheck = (input: PolicyInput) => Violation | undefined;
export type PolicyChain = readonly PolicyCheck[];

/** Reasons, as in cert-manager's `internal/controller/certificates/policies/constants.go`. */
export const PolicyReason = {
  DoesNotExist: 'DoesNotExist',
  MissingData: 'MissingData',
  InvalidKeyPair: 'InvalidKeyPair',
  InvalidCertificate: 'InvalidCertificate',
  InvalidCertificateRequest: 'InvalidCertificateRequest',
  IncorrectIssuer: 'IncorrectIssuer',
  IncorrectCertificate: 'IncorrectCertificate',
  SecretMismatch: 'SecretMismatch',
  RequestChanged: 'RequestChanged',
  Renewing: 'Renewing',
  Expired: 'Expired',
  WindowError: 'WindowError',
} as const;

export function firstViolation(chain: PolicyChain, input: PolicyInput): Violation | undefined {
  for (const check of chain) {
    const violation = check(input);
    if (violation) return violation;
  }
  return undefined;
}

/** Go's `%q` of a string (close enough for names: JSON escaping). */
function quoted(text: string): string {
  return JSON.stringify(text);
}

/** Go's `%v` of a string slice: `[a b c]`. */
export function list(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** Go's `time.Time.String()` of a UTC instant: `2006-01-02 15:04:05 +0000 UTC`. */
function goTimeString(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} +0000 UTC`;
}

/** Go's `time.RFC1123` of a UTC instant: `Mon, 02 Jan 2006 15:04:05 UTC`. */
function rfc1123(date: Date): string {
  return date.toUTCString().replace(/GMT$/, 'UTC');
}

// Checks after the first two run only on a Secret that exists with both entries present; when a
// chain is cut short they still answer for the states they can meet rather than assume.
function presentSecret(input: PolicyInput): PresentSecret | undefined {
  return input.secret.exists ? input.secret : undefined;
}

const invalidPrivateKey = (error: string): Violation => ({
  reason: PolicyReason.InvalidKeyPair,
  message: `Issuing certificate as Secret contains invalid private key data: ${error}`,
});

const invalidCertificate = (error: string): Violation => ({
  reason: PolicyReason.InvalidCertificate,
  message: `Issuing certificate as Secret contains an invalid certificate: ${error}`,
});

export const secretDoesNotExist: PolicyCheck = function secretDoesNotExist(input) {
  if (input.secret.exists) return undefined;
  return { reason: PolicyReason.DoesNotExist, message: 'Issuing certificate as Secret does not exist' };
};

export const secretIsMissingData: PolicyCheck = function secretIsMissingData(input) {
  const secret = presentSecret(input);
  if (!secret) return undefined;
  if (!secret.hasData) return { reason: PolicyReason.MissingData, message: 'Issuing certificate as Secret does not contain any data' };
  const empty = (status: string) => status === 'missing' || status === 'empty';
  if (empty(secret.privateKey.status)) {
    return { reason: PolicyReason.MissingData, message: 'Issuing certificate as Secret does not contain a private key' };
  }
  if (empty(secret.certificate.status)) {
    return { reason: PolicyReason.MissingData, message: 'Issuing certificate as Secret does not contain a certificate' };
  }
  return undefined;
};

export const secretPublicKeysDiffer: PolicyCheck = function secretPublicKeysDiffer(input) {
  const secret = presentSecret(input);
  if (!secret) return undefined;
  if (secret.privateKey.status === 'undecodable') return invalidPrivateKey(secret.privateKey.error);
  if (secret.certificate.status === 'undecodable') return invalidCertificate(secret.certificate.error);
  if (secret.keyMatchesCertificate === false) {
    return { reason: PolicyReason.InvalidKeyPair, message: 'Issuing certificate as Secret contains a private key that does not match the certificate' };
  }
  return undefined;
};

/**
 * The Secret's issuer annotations must name the issuerRef. A Secret without any of them counts as
 * issued by the default kind and group (cert-manager's operator precedence makes it so), which
 * triggers re-issuance for a ClusterIssuer reference.
 */
export const secretIssuerAnnotationsMismatch: PolicyCheck = function secretIssuerAnnotationsMismatch(input) {
  const secret = presentSecret(input);
  if (!secret) return undefined;
  const annotations = secret.annotations;
  const ref = input.certificate.spec.issuerRef;
  const name = annotations[ISSUER_NAME_ANNOTATION];
  const kind = annotations[ISSUER_KIND_ANNOTATION] ?? '';
  const group = annotations[ISSUER_GROUP_ANNOTATION] ?? '';
  const anyPresent = [ISSUER_NAME_ANNOTATION, ISSUER_KIND_ANNOTATION, ISSUER_GROUP_ANNOTATION].some((k) => k in annotations);
  const nameDiffers = anyPresent && name !== ref.name;
  const kindDiffers = issuerKindFor({ name: '', kind }) !== issuerKindFor(ref);
  const groupDiffers = issuerGroupFor({ name: '', group }) !== issuerGroupFor(ref);
  if (!nameDiffers && !kindDiffers && !groupDiffers) return undefined;
  const previous = `${issuerKindFor({ name: '', kind })}.${issuerGroupFor({ name: '', group })}/${name ?? ''}`;
  return { reason: PolicyReason.IncorrectIssuer, message: `Issuing certificate as Secret was previously issued by ${quoted(previous)}` };
};

export const secretCertificateNameAnnotationsMismatch: PolicyCheck = function secretCertificateNameAnnotationsMismatch(input) {
  const secret = presentSecret(input);
  if (!secret || !(CERTIFICATE_NAME_ANNOTATION in secret.annotations)) return undefined;
  const name = secret.annotations[CERTIFICATE_NAME_ANNOTATION]!;
  if (name === input.certificate.metadata.name) return undefined;
  return {
    reason: PolicyReason.IncorrectCertificate,
    message: `Secret was issued for ${quoted(name)}. If this message is not transient, you might have two conflicting Certificates pointing to the same secret.`,
  };
};

export const secretPrivateKeyMismatchesSpec: PolicyCheck = function secretPrivateKeyMismatchesSpec(input) {
  const secret = presentSecret(input);
  if (!secret) return undefined;
  if (secret.privateKey.status === 'undecodable') return invalidPrivateKey(secret.privateKey.error);
  if (secret.privateKey.status !== 'parsed') return undefined;
  const violations = privateKeyMatchesSpec(secret.privateKey.key, input.certificate);
  if (violations.length === 0) return undefined;
  return { reason: PolicyReason.SecretMismatch, message: `Existing private key is not up to date for spec: ${list(violations)}` };
};

/** The current revision's CSR must be signed by the key in the Secret (someone may have replaced it). */
export const secretPublicKeyDiffersFromCurrentCertificateRequest: PolicyCheck = function secretPublicKeyDiffersFromCurrentCertificateRequest(input) {
  const secret = presentSecret(input);
  if (!secret || !input.currentRequest) return undefined;
  if (secret.privateKey.status === 'undecodable') return invalidPrivateKey(secret.privateKey.error);
  if (secret.privateKey.status !== 'parsed') return undefined;
  let matches: boolean;
  try {
    matches = publicKeysEqual(parseRequestCsr(input.currentRequest), secret.privateKey.key);
  } catch (e) {
    return { reason: PolicyReason.InvalidCertificateRequest, message: `Failed to decode current CertificateRequest: ${(e as Error).message}` };
  }
  if (matches) return undefined;
  return { reason: PolicyReason.SecretMismatch, message: 'Secret contains a private key that does not match the current CertificateRequest' };
};

/**
 * The current CertificateRequest must still match the spec. Without one (it was deleted), the
 * issued certificate's names are compared loosely instead. A request whose CSR cannot be parsed
 * does not trigger: the certificate in the Secret may still be fine.
 */
export const currentCertificateRequestMismatchesSpec: PolicyCheck = function currentCertificateRequestMismatchesSpec(input) {
  if (!input.currentRequest) return currentSecretMismatchesSpec(input);
  let violations: string[];
  try {
    violations = requestMatchesSpec(input.currentRequest, input.certificate);
  } catch {
    return undefined;
  }
  if (violations.length === 0) return undefined;
  return { reason: PolicyReason.RequestChanged, message: `Fields on existing CertificateRequest resource not up to date: ${list(violations)}` };
};

function currentSecretMismatchesSpec(input: PolicyInput): Violation | undefined {
  const secret = presentSecret(input);
  if (!secret) return undefined;
  if (secret.certificate.status === 'undecodable') return invalidCertificate(secret.certificate.error);
  if (secret.certificate.status !== 'parsed') return undefined;
  const violations = issuedCertificateMatchesSpec(secret.certificate.leaf, input.certificate);
  if (violations.length === 0) return undefined;
  return { reason: PolicyReason.SecretMismatch, message: `Issuing certificate as Existing issued Secret is not up to date for spec: ${list(violations)}` };
}

/**
 * Renewal is due when `now` reaches the renewal time of the certificate actually in the Secret
 * (not the possibly stale `status.renewalTime`). Never with `renewal.policy: Disabled`. With an
 * ARI window that starts after the certificate's notBefore, due once the window opens.
 */
export const currentCertificateNearingExpiry: PolicyCheck = function currentCertificateNearingExpiry(input) {
  const secret = presentSecret(input);
  if (!secret || input.certificate.spec.renewal?.policy === 'Disabled') return undefined;
  if (secret.certificate.status === 'undecodable') return invalidCertificate(secret.certificate.error);
  if (secret.certificate.status !== 'parsed') return undefined;
  const { leaf } = secret.certificate;
  if (input.ariWindow && input.ariWindow.start > leaf.notBefore.getTime()) {
    if (input.now < input.ariWindow.start) return undefined;
    return { reason: PolicyReason.Renewing, message: `Renewing certificate as the ACME renewal window opened at ${goTimeString(input.ariWindow.start)}` };
  }
  const computed = input.renewalTime === undefined ? renewalTime({ notBefore: leaf.notBefore, notAfter: leaf.notAfter, certificate: input.certificate }) : undefined;
  const renewAt = input.renewalTime ?? computed?.time.getTime();
  if (renewAt === undefined || input.now < renewAt) return undefined;
  return {
    reason: PolicyReason.Renewing,
    message: `Renewing certificate as renewal was scheduled at ${goTimeString(renewAt)}`,
    ...(computed?.windowError
      ? { warning: { reason: PolicyReason.WindowError, message: `Renewing certificate without satisfying renewal windows: ${computed.windowError}` } }
      : {}),
  };
};

export const currentCertificateHasExpired: PolicyCheck = function currentCertificateHasExpired(input) {
  const secret = presentSecret(input);
  if (!secret) return undefined;
  if (secret.certificate.status === 'undecodable') return invalidCertificate(secret.certificate.error);
  if (secret.certificate.status !== 'parsed') return undefined;
  const { notAfter } = secret.certificate.leaf;
  if (input.now <= notAfter.getTime()) return undefined;
  return { reason: PolicyReason.Expired, message: `Certificate expired on ${rfc1123(notAfter)}` };
};

const secretChecks: PolicyChain = [
  secretDoesNotExist,
  secretIsMissingData,
  secretPublicKeysDiffer,
  secretIssuerAnnotationsMismatch,
  secretCertificateNameAnnotationsMismatch,
  secretPrivateKeyMismatchesSpec,
  secretPublicKeyDiffersFromCurrentCertificateRequest,
  currentCertificateRequestMismatchesSpec,
];

/** Any violation → set `Issuing=True` with its reason and message. */
export const triggerChain: PolicyChain = [...secretChecks, currentCertificateNearingExpiry];

/** Any violation → `Ready=False` with its reason and message. */
export const readinessChain: PolicyChain = [...secretChecks, currentCertificateHasExpired];

/** Any violation while a request is pending → write a temporary certificate (if asked for). */
export const temporaryCertificateChain: PolicyChain = [secretDoesNotExist, secretIsMissingData, secretPublicKeysDiffer];
