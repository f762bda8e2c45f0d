/**
 * Why a Certificate is not Ready, and what to do about it: a chain of small named checks over a
 * snapshot of everything involved (like cert-manager's policy chains). Each check looks at one
 * thing and returns a diagnosis or nothing; the first that answers is the first line of
 * `certwright status certificate`. Checks run from the most specific evidence of the attempt in
 * flight (a failed ACME challenge, a denial) to the general (the Ready condition itself).
 */
import type { AnyIssuer, Certificate, CertificateRequest, Challenge, Condition, Order } from '../api/types.js';
import { backoffUntil } from '../controller/certificates/backoff.js';
import { isIssuing } from '../controller/certificates/metadata.js';
import { firstViolation, PolicyReason, readinessChain } from '../controller/certificates/policies.js';
import type { SecretState } from '../controller/certificates/secret-state.js';
import {
  CONDITION_DENIED,
  CONDITION_INVALID_REQUEST,
  CONDITION_READY,
  isApproved,
  isDenied,
  readyReason,
  REASON_FAILED,
  REASON_PENDING,
} from '../controller/certificaterequests/status.js';
import { findCondition, hasCondition } from '../controller/conditions.js';
import type { CoreEvent } from '../controller/events.js';

/** The Issuer or ClusterIssuer a Certificate names, as far as certwright can know it. */
export interface IssuerSnapshot {
  name: string;
  kind: string;
  group: string;
  /** The issuer object; undefined when it does not exist (or is an external kind, see `external`). */
  object?: AnyIssuer;
  /** An issuer of another API group (an external issuer): certwright cannot read its readiness. */
  external: boolean;
  /** For a CA issuer: the Secret holding the CA's keypair and whether it exists. */
  caSecret?: { namespace: string; name: string; exists: boolean };
}

/** Everything `status certificate` gathered about one Certificate, at one instant. */
export interface CertificateSnapshot {
  now: number;
  certificate: Certificate;
  secret: SecretState;
  /** The CertificateRequest of `status.revision` (behind the certificate in the Secret). */
  currentRequest?: CertificateRequest;
  /** The CertificateRequest of `status.revision + 1` (the issuance in flight or last attempted). */
  nextRequest?: CertificateRequest;
  /** The ACME Order of the next request, when its issuer is ACME. */
  order?: Order;
  challenges: Challenge[];
  issuer: IssuerSnapshot;
  /** Recent Events of the objects above, oldest first. */
  events: CoreEvent[];
}

export interface Diagnosis {
  /** A condition-style code: `Ready`, `WaitingForApproval`, `ChallengeFailed`, … */
  code: string;
  /** Why the Certificate is (not) Ready, in one sentence. */
  reason: string;
  /** What to do next. */
  nextStep: string;
}

/** How commands are spelled in next steps (`certwright` or `kubectl certwright`). */
export interface DiagnosisContext {
  program: string;
}

export type DiagnosisCheck = (snapshot: CertificateSnapshot, context: DiagnosisContext) => Diagnosis | undefined;

const ACME_FAILURE_STATES = new Set(['invalid', 'expired', 'errored']);

const refOf = (obj: { metadata: { namespace?: string; name?: string } }) => `${obj.metadata.namespace}/${obj.metadata.name}`;
const nameOf = (obj: { metadata: { name?: string } }) => obj.metadata.name ?? '';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `certwright renew NAME -n NS`, spelled for this program. */
function renewCommand(snapshot: CertificateSnapshot, { program }: DiagnosisContext): string {
  return `${program} renew ${nameOf(snapshot.certificate)} -n ${snapshot.certificate.metadata.namespace}`;
}

function conditionText(condition: Condition | undefined): string {
  if (!condition) return 'no Ready condition';
  return [condition.reason, condition.message].filter(Boolean).join(': ') || `Ready=${condition.status}`;
}

/** How a Challenge is being solved, e.g. `HTTP-01 via ingress class "nginx"` or `DNS-01 via cloudflare`. */
export function describeSolver(challenge: Challenge): string {
  const { http01, dns01 } = challenge.spec.solver ?? {};
  if (http01?.ingress) {
    const { ingressClassName, class: className, name } = http01.ingress;
    if (name) return `${challenge.spec.type} via Ingress "${name}"`;
    if (ingressClassName ?? className) return `${challenge.spec.type} via ingress class "${ingressClassName ?? className}"`;
    return `${challenge.spec.type} via an Ingress`;
  }
  if (http01?.gatewayHTTPRoute) return `${challenge.spec.type} via a Gateway API HTTPRoute`;
  const provider = Object.keys(dns01 ?? {}).find((key) => key !== 'cnameStrategy');
  if (provider) return `${challenge.spec.type} via ${provider}`;
  return challenge.spec.type;
}

function challengeDomain(challenge: Challenge): string {
  return `${challenge.spec.wildcard ? '*.' : ''}${challenge.spec.dnsName}`;
}

/** What to check when a challenge for `challenge.spec.dnsName` does not validate. */
function challengeAdvice(challenge: Challenge): string {
  if (challenge.spec.type === 'DNS-01') {
    return `check that the TXT record _acme-challenge.${challenge.spec.dnsName} can be created and is visible to public resolvers (DNS provider credentials, zone)`;
  }
  return `check that http://${challenge.spec.dnsName}/.well-known/acme-challenge/${challenge.spec.token} is reachable from the internet (DNS, firewall, ingress)`;
}

/** Nothing has reconciled the Certificate: no condition at all means no controller saw it. */
export const notReconciled: DiagnosisCheck = function notReconciled(s) {
  if (s.certificate.status?.conditions?.length) return undefined;
  return {
    code: 'NotReconciled',
    reason: 'no controller has reconciled this Certificate yet (it has no status conditions)',
    nextStep: 'start the controller (certwright run) or check its logs; a new Certificate gets its first condition within seconds',
  };
};

export const challengeFailed: DiagnosisCheck = function challengeFailed(s, context) {
  const failed = s.challenges.find((c) => ACME_FAILURE_STATES.has(c.status?.state ?? ''));
  if (!failed) return undefined;
  const why = failed.status?.reason ? `: ${failed.status.reason}` : '';
  return {
    code: 'ChallengeFailed',
    reason: `ACME challenge for ${challengeDomain(failed)} (${describeSolver(failed)}) is ${failed.status!.state}${why}`,
    nextStep: `${challengeAdvice(failed)}, then retry with "${renewCommand(s, context)}"`,
  };
};

export const orderFailed: DiagnosisCheck = function orderFailed(s, context) {
  const state = s.order?.status?.state;
  if (!s.order || !ACME_FAILURE_STATES.has(state ?? '')) return undefined;
  const why = s.order.status?.reason ? `: ${s.order.status.reason}` : '';
  return {
    code: 'OrderFailed',
    reason: `ACME Order ${refOf(s.order)} is ${state}${why}`,
    nextStep: `fix what the ACME server rejected, then retry with "${renewCommand(s, context)}"`,
  };
};

export const requestDenied: DiagnosisCheck = function requestDenied(s, context) {
  const request = s.nextRequest;
  if (!request || !isDenied(request)) return undefined;
  const denial = findCondition(request.status?.conditions, CONDITION_DENIED);
  return {
    code: 'Denied',
    reason: `CertificateRequest ${refOf(request)} was denied (${conditionText(denial)})`,
    nextStep: `resolve what the approver objected to, then request again with "${renewCommand(s, context)}"`,
  };
};

export const requestInvalid: DiagnosisCheck = function requestInvalid(s) {
  const request = s.nextRequest;
  if (!request || !hasCondition(request.status?.conditions, CONDITION_INVALID_REQUEST)) return undefined;
  const invalid = findCondition(request.status?.conditions, CONDITION_INVALID_REQUEST);
  return {
    code: 'InvalidRequest',
    reason: `CertificateRequest ${refOf(request)} is invalid (${conditionText(invalid)})`,
    nextStep: 'fix the Certificate spec; a changed spec is requested again at once',
  };
};

export const issuerNotFound: DiagnosisCheck = function issuerNotFound(s) {
  const { issuer } = s;
  if (issuer.external || issuer.object) return undefined;
  const where = issuer.kind === 'ClusterIssuer' ? '' : ` in namespace ${s.certificate.metadata.namespace}`;
  return {
    code: 'IssuerNotFound',
    reason: `${issuer.kind} "${issuer.name}" does not exist${where}`,
    nextStep: `create the ${issuer.kind}, or point spec.issuerRef at an existing Issuer or ClusterIssuer`,
  };
};

export const caSecretMissing: DiagnosisCheck = function caSecretMissing(s) {
  const { caSecret, kind, name } = s.issuer;
  if (!caSecret || caSecret.exists) return undefined;
  const ref = `${caSecret.namespace}/${caSecret.name}`;
  const clusterNote = kind === 'ClusterIssuer' ? ' (a ClusterIssuer reads its Secret from the cluster resource namespace)' : '';
  return {
    code: 'CASecretMissing',
    reason: `the CA ${kind} "${name}" needs Secret ${ref}, which does not exist`,
    nextStep: `create Secret ${ref} with the CA's tls.crt and tls.key${clusterNote}; issuance continues once the ${kind} is Ready`,
  };
};

export const issuerNotReady: DiagnosisCheck = function issuerNotReady(s) {
  const { object, kind, name } = s.issuer;
  if (!object || hasCondition(object.status?.conditions, CONDITION_READY)) return undefined;
  const ready = findCondition(object.status?.conditions, CONDITION_READY);
  return {
    code: 'IssuerNotReady',
    reason: `${kind} "${name}" is not Ready (${conditionText(ready)})`,
    nextStep: ready
      ? `fix the ${kind}'s configuration; Certificates using it are issued once it is Ready`
      : `no controller has checked this ${kind}: check that certwright runs and supports its issuer type`,
  };
};

export const requestFailed: DiagnosisCheck = function requestFailed(s, context) {
  const request = s.nextRequest;
  if (!request || readyReason(request) !== REASON_FAILED) return undefined;
  const ready = findCondition(request.status?.conditions, CONDITION_READY);
  const retryAt = backoffUntil(s.certificate.status);
  const retry = retryAt && retryAt > s.now ? `it is retried automatically after ${iso(retryAt)}; ` : '';
  return {
    code: 'Failed',
    reason: `CertificateRequest ${refOf(request)} failed (${ready?.message || 'no message'})`,
    nextStep: `${retry}fix the cause, then retry now with "${renewCommand(s, context)}"`,
  };
};

export const awaitingApproval: DiagnosisCheck = function awaitingApproval(s, { program }) {
  const request = s.nextRequest;
  if (!request || isApproved(request) || isDenied(request) || readyReason(request) === REASON_FAILED) return undefined;
  const ns = request.metadata.namespace;
  return {
    code: 'WaitingForApproval',
    reason: `CertificateRequest ${refOf(request)} is waiting for approval`,
    nextStep: `approve it with "${program} approve ${nameOf(request)} -n ${ns}" (or deny it with "${program} deny ${nameOf(request)} -n ${ns}"); certwright's own approver is off or an approval policy has not decided`,
  };
};

export const challengePending: DiagnosisCheck = function challengePending(s) {
  const pending = s.challenges.find((c) => c.status?.state !== 'valid');
  if (!pending) return undefined;
  const why = pending.status?.reason ? `: ${pending.status.reason}` : '';
  return {
    code: 'ChallengePending',
    reason: `ACME challenge for ${challengeDomain(pending)} (${describeSolver(pending)}) is ${pending.status?.state || 'not started'}${why}`,
    nextStep: `wait for it to validate; if it does not, ${challengeAdvice(pending)}`,
  };
};

export const orderPending: DiagnosisCheck = function orderPending(s) {
  if (!s.order || s.order.status?.state === 'valid') return undefined;
  return {
    code: 'OrderPending',
    reason: `ACME Order ${refOf(s.order)} is ${s.order.status?.state || 'not yet submitted'}`,
    nextStep: 'wait for the ACME server; check the Order\'s events if it does not move',
  };
};

export const requestPending: DiagnosisCheck = function requestPending(s) {
  const request = s.nextRequest;
  if (!request || readyReason(request) !== REASON_PENDING) return undefined;
  const ready = findCondition(request.status?.conditions, CONDITION_READY);
  return {
    code: 'RequestPending',
    reason: `CertificateRequest ${refOf(request)} is pending (${ready?.message || 'no message'})`,
    nextStep: 'wait for the issuer to sign it; the message above says what it waits for',
  };
};

/** The last issuance failed and its request is gone or finished: the Certificate waits out its backoff. */
export const issuanceBackingOff: DiagnosisCheck = function issuanceBackingOff(s, context) {
  const status = s.certificate.status;
  if (!status?.lastFailureTime || isIssuing(s.certificate)) return undefined;
  const issuing = findCondition(status.conditions, 'Issuing');
  const retryAt = backoffUntil(status);
  const when = retryAt && retryAt > s.now ? `the next attempt is after ${iso(retryAt)}` : 'the next attempt is due';
  return {
    code: 'IssuanceFailed',
    reason: `the last issuance failed at ${status.lastFailureTime} (${issuing?.message || `${status.failedIssuanceAttempts ?? 1} failed attempt(s)`})`,
    nextStep: `${when}; fix the cause, then retry now with "${renewCommand(s, context)}"`,
  };
};

export const issuingWithoutRequest: DiagnosisCheck = function issuingWithoutRequest(s) {
  if (!isIssuing(s.certificate) || s.nextRequest) return undefined;
  const issuing = findCondition(s.certificate.status?.conditions, 'Issuing');
  return {
    code: 'Issuing',
    reason: `issuance is starting (${conditionText(issuing)}): the private key and CertificateRequest are being prepared`,
    nextStep: 'wait a few seconds; if no CertificateRequest appears, check the controller logs and the Events below',
  };
};

/** cert-manager's readiness policies over the Secret (missing, wrong key, expired, …). */
export const secretNotReady: DiagnosisCheck = function secretNotReady(s, context) {
  const violation = firstViolation(readinessChain, { certificate: s.certificate, secret: s.secret, currentRequest: s.currentRequest, now: s.now });
  if (!violation) return undefined;
  const renewalDisabled = s.certificate.spec.renewal?.policy === 'Disabled';
  const nextStep =
    violation.reason === PolicyReason.Expired && renewalDisabled
      ? `renewal is disabled (spec.renewal.policy: Disabled): renew it with "${renewCommand(s, context)}"`
      : `certwright re-issues it by itself; if Issuing does not turn True, check that the controller runs, or force it with "${renewCommand(s, context)}"`;
  return { code: violation.reason, reason: violation.message, nextStep };
};

export const readyConditionFalse: DiagnosisCheck = function readyConditionFalse(s) {
  const ready = findCondition(s.certificate.status?.conditions, CONDITION_READY);
  if (ready?.status === 'True') return undefined;
  return {
    code: ready?.reason || 'NotReady',
    reason: ready?.message || 'the Certificate has no Ready condition yet',
    nextStep: 'see the Events below and the controller logs',
  };
};

/** In order: the first check that answers gives the first line. */
export const diagnosisChain: readonly DiagnosisCheck[] = [
  notReconciled,
  challengeFailed,
  orderFailed,
  requestDenied,
  requestInvalid,
  issuerNotFound,
  caSecretMissing,
  issuerNotReady,
  requestFailed,
  awaitingApproval,
  challengePending,
  orderPending,
  requestPending,
  issuanceBackingOff,
  issuingWithoutRequest,
  secretNotReady,
  readyConditionFalse,
];

/** Ready, observed at the current generation, and holding a certificate that has not expired. */
export function isReady(s: CertificateSnapshot): boolean {
  const ready = findCondition(s.certificate.status?.conditions, CONDITION_READY);
  if (ready?.status !== 'True') return false;
  const generation = s.certificate.metadata.generation;
  if (generation !== undefined && ready.observedGeneration !== undefined && ready.observedGeneration < generation) return false;
  const leaf = s.secret.exists && s.secret.certificate.status === 'parsed' ? s.secret.certificate.leaf : undefined;
  return leaf !== undefined && leaf.notAfter.getTime() > s.now;
}

export interface Verdict extends Diagnosis {
  ready: boolean;
}

export function diagnose(s: CertificateSnapshot, context: DiagnosisContext): Verdict {
  if (isReady(s)) {
    const renewal = s.certificate.status?.renewalTime;
    const leaf = s.secret.exists && s.secret.certificate.status === 'parsed' ? s.secret.certificate.leaf : undefined;
    return {
      ready: true,
      code: 'Ready',
      reason: `the certificate in Secret ${s.certificate.metadata.namespace}/${s.certificate.spec.secretName} is valid until ${leaf ? iso(leaf.notAfter.getTime()) : '?'}`,
      nextStep: renewal ? `nothing; it is renewed at ${renewal}` : 'nothing; automatic renewal is disabled',
    };
  }
  for (const check of diagnosisChain) {
    const diagnosis = check(s, context);
    if (diagnosis) return { ready: false, ...diagnosis };
  }
  // readyConditionFalse answers whenever Ready is not True, and secretNotReady when the certificate
  // has expired: what is left is a Ready condition from an older generation of the spec.
  return {
    ready: false,
    code: 'Stale',
    reason: 'the Ready condition was computed for an older generation of the spec',
    nextStep: 'wait for the controller to process the change; if it does not, check that it runs',
  };
}
