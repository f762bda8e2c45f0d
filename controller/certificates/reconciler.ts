/**
 * The Certificate reconciler (docs/architecture.md): cert-manager's six certificate controllers as
 * stages of one level-triggered reconcile per Certificate key.
 *
 * The issuance stages run in order and stop at the first that has to wait:
 *   trigger → key → request → issue
 * then the projection stages always run, so status follows the Secret whatever issuance is doing:
 *   secret upkeep → readiness → revisions
 * Every decision comes from the pure functions beside this file; this module reads the caches,
 * makes the writes those decisions ask for (only differences: status when it changed, the Secret
 * by server-side apply), records events, and says when to look again.
 */
import type { KeyObject } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeObject } from '../../apiserver/admission.js';
import { rfc3339 } from '../../apiserver/time.js';
import { revisionHistoryLimitFor } from '../../api/defaults.js';
import type { Certificate, CertificateRequest, CertificateStatus, Condition } from '../../api/types.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { encodePrivateKeyPem, generatePrivateKey, generateVerifiedCsr, publicKeysEqual, type VerifiedCsr } from '../../pki/index.js';
import { forgetBuiltRequest, rememberBuiltRequest } from '../../issuers/signing-request.js';
import { findCondition, withCondition } from '../conditions.js';
import type { EventRecorder } from '../events.js';
import type { KubeClient } from '../runtime/client.js';
import type { Clock } from '../runtime/clock.js';
import type { Informer } from '../runtime/informer.js';
import { LruCache } from '../runtime/lru.js';
import { keyOf, parseKey, type ObjectRef } from '../runtime/keys.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, SECRETS, type ResourceType } from '../runtime/resources.js';
import { isAlreadyExists, isNotFound } from '../runtime/api-error.js';
import {
  CONDITION_DENIED,
  CONDITION_INVALID_REQUEST,
  CONDITION_READY,
  hasInvalidRequest,
  isDenied,
  readyReason,
  REASON_FAILED,
  REASON_ISSUED,
  REASON_PENDING,
} from '../certificaterequests/status.js';
import { backoffUntil, DEFAULT_ISSUANCE_BACKOFF, specChangedSinceFailure, type IssuanceBackoff } from './backoff.js';
import { certificateOwnerReference, isIssuing } from './metadata.js';
import { CERTIFICATE_API_VERSION, ISSUE_TEMPORARY_CERTIFICATE_ANNOTATION, NEXT_PRIVATE_KEY_LABEL, PART_OF_CONTROLLER_LABEL, TLS_PRIVATE_KEY_KEY } from '../../api/well-known.js';
import type { IssuanceSlots } from './issuance-slots.js';
import { nextKeyAction } from './next-key.js';
import { PendingWrites } from './pending-writes.js';
import { firstViolation, readinessChain, temporaryCertificateChain, triggerChain, type PolicyChain, type Violation } from './policies.js';
import { renewalTime, type RenewalTime } from './renewal.js';
import { ariRenewalInput } from '../acme/ari.js';
import {
  buildCertificateRequest,
  csrSpecFor,
  DUPLICATE_SECRET_NAME_RECHECK_MS,
  duplicateSecretNameOwner,
  nextRevision,
  requestForRevision,
  requestsToDelete,
  revisionsToPrune,
} from './requests.js';
import {
  DEFAULT_FIELD_MANAGER,
  desiredSecret,
  keystoreEncodersFor,
  secretUpkeepViolation,
  temporaryCertificatePem,
  temporaryCertificateSecret,
  UpkeepReason,
  type KeystorePasswords,
} from './secret-layout.js';
import { issuedCertificateOf } from '../certificaterequests/issued-certificates.js';
import { inspectSecret, parsedCertificateChain, rememberSecretPrivateKey, secretDataBytes, secretPrivateKey, type SecretState } from './secret-state.js';

/** Certificates by `namespace/spec.secretName`: finds the Certificates a Secret event concerns, and duplicates. */
export const CERTIFICATES_BY_SECRET_NAME = 'certificates-by-secret-name';
/** CertificateRequests and owned Secrets by the UIDs of their owners. */
export const BY_OWNER_UID = 'owner-uid';

export const READY_MESSAGE = 'Certificate is up to date and has not expired';
export const ISSUED_MESSAGE = 'The certificate has been successfully issued';
export const FAILED_MESSAGE_PREFIX = 'The certificate request has failed to complete and will be retried: ';
/**
 * Decoded Secrets kept for reconciles to come (see CertificateReconciler's #secretStates): enough
 * for the reconciles in flight and those their own writes trigger. With thousands of Certificates
 * issuing, the next reconcile of one comes a whole work-queue pass later and would miss any size
 * short of all of them (~13 KiB each, parsed leaf included).
 */
const MAX_DECODED_SECRETS = 256;
/** How long a target Secret the API reported missing is taken as missing without asking again. */
export const ABSENT_SECRET_RECHECK_MS = 30_000;

export interface CertificateReconcilerOptions {
  client: KubeClient;
  clock: Clock;
  certificates: Informer<Certificate>;
  /** Must be indexed {@link BY_OWNER_UID}. */
  requests: Informer<CertificateRequest>;
  /** Secrets labelled `controller.cert-manager.io/fao=true`, indexed {@link BY_OWNER_UID}. */
  ownedSecrets: Informer<KubeSecret>;
  events: EventRecorder;
  pendingWrites: PendingWrites;
  /** `--certificate-request-minimum/maximum-backoff-duration` (1h / 32h). */
  issuanceBackoff?: IssuanceBackoff;
  /** Largest share of the renew-before window taken off as per-Certificate jitter (default 0.1). */
  renewalJitter?: number;
  /** `--enable-certificate-owner-ref`: Secrets get a controller reference to their Certificate. */
  enableCertificateOwnerRef?: boolean;
  /** `--copied-annotation-prefixes`. */
  copiedAnnotationPrefixes?: readonly string[];
  fieldManager?: string;
  /** `--max-concurrent-issuances`: Certificates past it wait for a slot before their key stage. */
  issuanceSlots?: IssuanceSlots;
  log?: (certificate: Certificate) => Logger;
}

export type ReconcileOutcome =
  /** Look again at `wakeAt` (ms) at the latest, or only when something changes. */
  | { kind: 'done'; wakeAt?: number }
  /** The caches do not show this Certificate's last writes yet; look again at `retryAt` at the latest. */
  | { kind: 'deferred'; retryAt: number };

/** What one reconcile has read and decided so far; stages read and update it in turn. */
interface Work {
  readonly key: string;
  readonly now: number;
  /** The Certificate as cached (writes are made against its resourceVersion). */
  readonly cached: Certificate;
  /** The Certificate with the status this reconcile is building. */
  certificate: Certificate;
  requests: CertificateRequest[];
  nextKeySecrets: KubeSecret[];
  secret: KubeSecret | undefined;
  secretState: SecretState;
  /** The trigger chain found nothing to re-issue for (so the Secret is this Certificate's, and sound). */
  secretUpToDate: boolean;
  /** Issuance is due but every issuance slot is taken: nothing is written until a slot frees. */
  waitingForSlot?: boolean;
  /** The next private key once the key stage has it. */
  nextKey?: { secretName: string; key: KeyObject; pem: string };
  /** The next revision's request once the request stage has it. */
  nextRequest?: CertificateRequest;
  /** Times at which something is due (renewal, backoff end, expiry, re-checks). */
  wakeAt: number[];
  /** What issuance waits on that needs someone's attention, for the Ready=False message. */
  blocker?: string;
  /** The checks both chains share, as last evaluated (trigger and readiness read the same answer). */
  sharedChecks?: { secretState: SecretState; revision: number | undefined; violation: Violation | undefined };
  /** The renewal time of the Secret's certificate, as last computed (both chains and readiness read it). */
  renewal?: { secretState: SecretState; time: RenewalTime | undefined };
  log: Logger | undefined;
}

/** Any informer, read by key. */
interface ObjectCache {
  get(ref: ObjectRef): KubeObject | undefined;
}

/** A stage: false stops the issuance stages (it has to wait for something). */
type Stage = (work: Work) => Promise<boolean>;

const SECRET_TYPE_META = { apiVersion: 'v1', kind: 'Secret' };

// Both chains start with the same Secret checks and differ only in their last check, so the shared
// part is evaluated once per reconcile and each chain adds its own tail.
const SHARED_CHECKS = triggerChain.filter((check) => readinessChain.includes(check));
const TRIGGER_TAIL = triggerChain.slice(SHARED_CHECKS.length);
const READINESS_TAIL = readinessChain.slice(SHARED_CHECKS.length);

/** The decisions speak client-node's V1Secret; caches and the client speak plain JSON objects. */
const asV1Secret = (secret: KubeSecret): V1Secret => secret as unknown as V1Secret;
const asKubeSecret = (secret: V1Secret): KubeSecret => secret as unknown as KubeSecret;

function isControlledBy(obj: KubeObject, certificate: Certificate): boolean {
  return (obj.metadata.ownerReferences ?? []).some(
    (ref) => ref.controller && ref.uid === certificate.metadata.uid && ref.kind === 'Certificate' && ref.apiVersion === CERTIFICATE_API_VERSION,
  );
}

function timeOf(text: string | undefined): number | undefined {
  const ms = text ? Date.parse(text) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

function withoutCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] | undefined {
  const rest = (conditions ?? []).filter((c) => c.type !== type);
  return rest.length > 0 ? rest : undefined;
}

/** Status with `undefined` members dropped. */
function compactStatus(status: CertificateStatus): CertificateStatus {
  return Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined)) as CertificateStatus;
}

/**
 * JSON with object keys sorted: API servers may hand back fields in another order than they were
 * written in (kube-apiserver sorts the keys of custom resources), which must not count as a change.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class CertificateReconciler {
  #o: CertificateReconcilerOptions;
  #fieldManager: string;
  /**
   * Decoded Secrets by cached object: informer objects are replaced, never changed, so a Secret
   * version is parsed once however often its Certificate is reconciled close together (an
   * issuance's reconciles). Bounded, least recently used first out: a parsed leaf certificate is
   * several KiB, and kept for every Certificate it would grow the controller by that much each,
   * for reconciles that come days apart (renewals).
   */
  #secretStates = new LruCache<KubeSecret, SecretState>(MAX_DECODED_SECRETS);
  /** Secrets (by cached object) found up to date for a Certificate `uid:generation`: no need to check again. */
  #upkeptFor = new WeakMap<KubeSecret, string>();
  /** Target Secrets the API said do not exist, by key, with when it said so (oldest first). */
  #absentSecrets = new Map<string, number>();

  /** The issuance stages, in order; the first returning false ends them. */
  readonly #issuanceStages: Stage[] = [
    (w) => this.#trigger(w),
    (w) => this.#key(w),
    (w) => this.#request(w),
    (w) => this.#issue(w),
  ];

  /** Stages that project the Secret onto status and tidy up; they always run. */
  readonly #projectionStages: Stage[] = [(w) => this.#secretUpkeep(w), (w) => this.#readiness(w), (w) => this.#revisions(w)];

  constructor(options: CertificateReconcilerOptions) {
    this.#o = options;
    this.#fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  }

  async reconcile(key: string): Promise<ReconcileOutcome> {
    const { certificates, pendingWrites, clock } = this.#o;
    const cached = certificates.get(parseKey(key));
    if (!cached) {
      pendingWrites.forget(key);
      this.#o.issuanceSlots?.release(key);
      return { kind: 'done' };
    }
    // Like cert-manager: nothing is issued for a Certificate being deleted.
    if (cached.metadata.deletionTimestamp) {
      this.#o.issuanceSlots?.release(key);
      return { kind: 'done' };
    }
    const waitMs = pendingWrites.waitMs(key);
    if (waitMs !== undefined) return { kind: 'deferred', retryAt: clock.now() + waitMs };

    const work = await this.#observe(key, cached);
    for (const stage of this.#issuanceStages) if (!(await stage(work))) break;
    // The slots wake it when one is free; status waits too (its write, and the reconcile its event
    // brings, would double the work of every Certificate in line during a burst).
    if (work.waitingForSlot) return { kind: 'done' };
    for (const stage of this.#projectionStages) await stage(work);
    await this.#writeStatus(work);
    if (!isIssuing(work.certificate)) this.#o.issuanceSlots?.release(key);
    const future = work.wakeAt.filter((t) => t > work.now);
    return future.length > 0 ? { kind: 'done', wakeAt: Math.min(...future) } : { kind: 'done' };
  }

  async #observe(key: string, cached: Certificate): Promise<Work> {
    const { requests, ownedSecrets, clock, log } = this.#o;
    const uid = cached.metadata.uid ?? '';
    const secret = await this.#targetSecret(cached, clock.now());
    return {
      key,
      now: clock.now(),
      cached,
      certificate: { ...cached, status: structuredClone(cached.status ?? {}) },
      requests: requests.byIndex(BY_OWNER_UID, uid).filter((r) => isControlledBy(r, cached)),
      nextKeySecrets: ownedSecrets
        .byIndex(BY_OWNER_UID, uid)
        .filter((s) => s.metadata.labels?.[NEXT_PRIVATE_KEY_LABEL] === 'true' && isControlledBy(s, cached)),
      secret,
      secretState: this.#inspect(secret),
      secretUpToDate: false,
      wakeAt: [],
      log: log?.(cached),
    };
  }

  #inspect(secret: KubeSecret | undefined): SecretState {
    if (!secret) return inspectSecret(undefined);
    let state = this.#secretStates.get(secret);
    if (!state) this.#secretStates.set(secret, (state = inspectSecret(asV1Secret(secret))));
    return state;
  }

  /**
   * The Secret named by spec.secretName: from the owned-Secrets cache, else (not ours yet) from the
   * API. An issuance reconciles its Certificate several times before the Secret exists; a Secret
   * the API just said is absent is taken as absent for ABSENT_SECRET_RECHECK_MS instead of asked
   * for each time (a Secret someone else creates wakes no Certificate anyway; the owned cache,
   * consulted first, shows ours at once).
   */
  async #targetSecret(certificate: Certificate, now: number): Promise<KubeSecret | undefined> {
    const ref = { namespace: certificate.metadata.namespace, name: certificate.spec.secretName };
    const owned = this.#o.ownedSecrets.get(ref);
    if (owned) return owned;
    const key = keyOf(ref);
    for (const [absent, at] of this.#absentSecrets) {
      if (at > now - ABSENT_SECRET_RECHECK_MS) break;
      this.#absentSecrets.delete(absent);
    }
    if (this.#absentSecrets.has(key)) return undefined;
    const secret = await this.#o.client.find<KubeSecret>(SECRETS, ref);
    if (!secret) this.#absentSecrets.set(key, now);
    return secret;
  }

  // ---- stage 1: trigger ------------------------------------------------------------------------

  async #trigger(work: Work): Promise<boolean> {
    if (isIssuing(work.certificate)) return this.#admitted(work);
    if (this.#blockedByDuplicateSecretName(work) || this.#inFailureBackoff(work)) return true;
    const violation = this.#violation(work, TRIGGER_TAIL);
    if (!violation) {
      work.secretUpToDate = true;
      return true;
    }
    if (!this.#admitted(work)) return false;
    this.#setCondition(work, 'Issuing', 'True', violation.reason, violation.message);
    this.#event(work, 'Normal', 'Issuing', violation.message);
    if (violation.warning) this.#event(work, 'Warning', violation.warning.reason, violation.warning.message);
    return true;
  }

  #blockedByDuplicateSecretName(work: Work): boolean {
    const { namespace } = work.cached.metadata;
    const sharing = this.#o.certificates.byIndex(CERTIFICATES_BY_SECRET_NAME, keyOf({ namespace, name: work.cached.spec.secretName }));
    const owner = duplicateSecretNameOwner(sharing, work.secret && asV1Secret(work.secret));
    if (owner === undefined || owner === work.cached.metadata.name) return false;
    work.log?.info({ owner }, 'another Certificate owns the Secret; not issuing');
    work.blocker = `Certificate ${JSON.stringify(owner)} uses the same Secret and issues into it`;
    work.wakeAt.push(work.now + DUPLICATE_SECRET_NAME_RECHECK_MS);
    return true;
  }

  #inFailureBackoff(work: Work): boolean {
    const until = backoffUntil(work.certificate.status, this.#o.issuanceBackoff ?? DEFAULT_ISSUANCE_BACKOFF);
    if (until === undefined || work.now >= until) return false;
    const nextRequest = requestForRevision(work.requests, nextRevision(work.certificate));
    if (specChangedSinceFailure(work.certificate, nextRequest)) return false;
    const status = work.certificate.status;
    const issuing = findCondition(status?.conditions, 'Issuing');
    const attempts = status?.failedIssuanceAttempts ?? 1;
    work.blocker =
      `Issuance failed ${attempts === 1 ? 'once' : `${attempts} times`}${issuing?.status === 'False' && issuing.reason ? ` (${issuing.reason})` : ''}; ` +
      `the next attempt is at ${rfc3339(new Date(until))}`;
    work.wakeAt.push(until);
    return true;
  }

  /** Whether issuance may go on now: it holds one of the issuance slots, or there are none (see IssuanceSlots). */
  #admitted(work: Work): boolean {
    if (!this.#o.issuanceSlots || this.#o.issuanceSlots.admit(work.key)) return true;
    work.waitingForSlot = true;
    return false;
  }

  // ---- stage 2: key ----------------------------------------------------------------------------

  async #key(work: Work): Promise<boolean> {
    const action = nextKeyAction({
      certificate: work.certificate,
      candidates: work.nextKeySecrets.map(asV1Secret),
      currentSecret: work.secretState,
    });
    if ('delete' in action) {
      await this.#deleteNextKeySecrets(work, action.delete, action.why);
      if (!isIssuing(work.certificate) && work.certificate.status?.nextPrivateKeySecretName) {
        this.#setStatus(work, { nextPrivateKeySecretName: undefined });
      }
      // Not issuing: nothing more to do. Issuing: the remaining key shows once the cache has caught up.
      return false;
    }
    if ('wait' in action) {
      this.#event(work, action.event.type, action.event.reason, action.event.message);
      work.blocker = `${action.event.reason}: ${action.event.message}`;
      return false;
    }
    if ('use' in action) {
      const secret = work.nextKeySecrets.find((s) => s.metadata.name === action.use)!;
      const pem = secretDataBytes(asV1Secret(secret), TLS_PRIVATE_KEY_KEY)!.toString('utf8');
      work.nextKey = { secretName: action.use, key: secretPrivateKey(asV1Secret(secret), pem), pem };
    } else {
      if (action.event) this.#event(work, action.event.type, action.event.reason, action.event.message);
      const created = await this.#createNextKeySecret(work, action.create);
      if (!created) return false;
      work.nextKey = created;
    }
    if (work.certificate.status?.nextPrivateKeySecretName !== work.nextKey.secretName) {
      this.#setStatus(work, { nextPrivateKeySecretName: work.nextKey.secretName });
    }
    return true;
  }

  async #deleteNextKeySecrets(work: Work, names: readonly string[], why: string): Promise<void> {
    for (const name of names) {
      const secret = work.nextKeySecrets.find((s) => s.metadata.name === name);
      if (!secret) continue;
      await this.#deleteOwned(work, SECRETS, secret, this.#o.ownedSecrets);
      // Tidying up after an issuance is routine; a key thrown away during one is worth telling.
      if (isIssuing(work.certificate)) this.#event(work, 'Normal', 'Deleted', `Deleted next private key Secret ${JSON.stringify(name)}: ${why}`);
      else work.log?.debug({ secret: name, why }, 'deleted next private key Secret');
    }
  }

  async #createNextKeySecret(work: Work, how: 'generate' | 'reuse'): Promise<Work['nextKey'] | undefined> {
    const spec = work.certificate.spec;
    let key: KeyObject;
    if (how === 'reuse' && work.secretState.exists && work.secretState.privateKey.status === 'parsed') {
      key = work.secretState.privateKey.key;
    } else {
      try {
        key = await generatePrivateKey(spec.privateKey);
      } catch (err) {
        this.#event(work, 'Warning', 'CannotGenerateKey', `Failed to generate private key: ${describe(err)}`);
        return undefined;
      }
    }
    const pem = encodePrivateKeyPem(key, 'PKCS8');
    const { namespace, name } = work.cached.metadata;
    const created = await this.#o.client.create<KubeSecret>(SECRETS, {
      ...SECRET_TYPE_META,
      metadata: {
        generateName: `${name}-`,
        namespace,
        labels: { [NEXT_PRIVATE_KEY_LABEL]: 'true', [PART_OF_CONTROLLER_LABEL]: 'true' },
        ownerReferences: [certificateOwnerReference(work.cached)],
      },
      type: 'Opaque',
      data: { [TLS_PRIVATE_KEY_KEY]: Buffer.from(pem).toString('base64') },
    });
    const secretName = created.metadata.name!;
    rememberSecretPrivateKey(asV1Secret(created), key);
    this.#expectPresent(work, this.#o.ownedSecrets, { namespace, name: secretName });
    if (how === 'reuse') {
      this.#event(work, 'Normal', 'Reused', `Reusing private key stored in existing Secret resource ${JSON.stringify(spec.secretName)}`);
    } else {
      this.#event(work, 'Normal', 'Generated', `Stored new private key in temporary Secret resource ${JSON.stringify(secretName)}`);
    }
    return { secretName, key, pem };
  }

  // ---- stage 3: request ------------------------------------------------------------------------

  async #request(work: Work): Promise<boolean> {
    const nextKey = work.nextKey!;
    const stale = requestsToDelete({ certificate: work.certificate, requests: work.requests, nextKey: nextKey.key });
    for (const { request, why } of stale) {
      await this.#deleteOwned(work, CERTIFICATE_REQUESTS, request, this.#o.requests);
      work.log?.info({ request: request.metadata.name, why }, 'deleted CertificateRequest');
    }
    // A replacement may take the deleted one's name: create it once the cache shows the delete.
    if (stale.length > 0) return false;
    const revision = nextRevision(work.certificate);
    const existing = requestForRevision(work.requests, revision);
    if (existing) {
      work.nextRequest = existing;
      return true;
    }
    let csr: VerifiedCsr;
    try {
      csr = await generateVerifiedCsr(csrSpecFor(work.certificate), nextKey.key);
    } catch (err) {
      // The spec cannot be turned into a CSR; retrying will not help until the spec changes.
      this.#event(work, 'Warning', 'RequestFailed', `Failed to create CertificateRequest: ${describe(err)}`);
      return false;
    }
    const request = buildCertificateRequest({
      certificate: work.cached,
      csrPem: csr.csr.pem,
      revision,
      nextKeySecretName: nextKey.secretName,
      ...(this.#o.copiedAnnotationPrefixes ? { copiedAnnotationPrefixes: this.#o.copiedAnnotationPrefixes } : {}),
    });
    rememberBuiltRequest(request.spec.request, csr);
    try {
      await this.#o.client.create(CERTIFICATE_REQUESTS, request);
    } catch (err) {
      // Made by an earlier reconcile the cache does not show yet: wait for it to appear.
      if (isAlreadyExists(err)) return false;
      throw err;
    }
    this.#expectPresent(work, this.#o.requests, { namespace: request.metadata.namespace, name: request.metadata.name! });
    this.#event(work, 'Normal', 'Requested', `Created new CertificateRequest resource ${JSON.stringify(request.metadata.name)}`);
    return false;
  }

  // ---- stage 4: issue --------------------------------------------------------------------------

  async #issue(work: Work): Promise<boolean> {
    const request = work.nextRequest!;
    const failure = requestFailure(request);
    if (failure) {
      this.#failIssuance(work, failure.reason, failure.message);
      return false;
    }
    if (readyReason(request) !== REASON_ISSUED) {
      // Only what the signer reports as pending needs attention; approval and signing in flight do not.
      const ready = findCondition(request.status?.conditions, CONDITION_READY);
      if (ready?.status === 'False' && ready.reason === REASON_PENDING) {
        work.blocker = `Waiting for CertificateRequest ${JSON.stringify(request.metadata.name)}: ${ready.message ?? ready.reason}`;
      }
      await this.#temporaryCertificate(work);
      return false;
    }

    const issuedCertificate = await issuedCertificateOf(request, this.#o.client);
    // The API holds a newer version than the cache: its event brings this Certificate back.
    if (issuedCertificate === undefined) return false;
    const certificatePem = Buffer.from(issuedCertificate, 'base64').toString('utf8');
    const caPem = request.status?.ca ? Buffer.from(request.status.ca, 'base64').toString('utf8') : undefined;
    const problem = issuedCertificateProblem(certificatePem, work.nextKey!.key, work.now);
    if (problem) {
      this.#failIssuance(work, 'InvalidCertificate', problem);
      return false;
    }
    const desired = desiredSecret({
      certificate: work.certificate,
      privateKeyPem: work.nextKey!.pem,
      privateKey: work.nextKey!.key,
      certificatePem,
      // Parsed by the check above (and still among the recent chains).
      leaf: parsedCertificateChain(certificatePem)[0]!,
      ...(caPem ? { caPem } : {}),
      issuerRef: request.spec.issuerRef,
      keystorePasswords: await this.#keystorePasswords(work),
      ...(await keystoreEncodersFor(work.certificate)),
      ...this.#ownerRef(work),
      ...(work.secret?.type ? { existingType: work.secret.type } : {}),
      now: new Date(work.now),
    });
    await this.#applySecret(work, desired, work.nextKey!.key);
    forgetBuiltRequest(request.spec.request);

    const status = work.certificate.status ?? {};
    this.#setStatus(work, {
      revision: nextRevision(work.certificate),
      conditions: withoutCondition(status.conditions, 'Issuing'),
      lastFailureTime: undefined,
      failedIssuanceAttempts: undefined,
      nextPrivateKeySecretName: undefined,
    });
    this.#event(work, 'Normal', 'Issuing', ISSUED_MESSAGE);
    // The next-key Secret is deleted by the key stage once this status (Issuing gone) is written:
    // deleting it first, a crash before the status write would leave an issuing Certificate with
    // no key for its issued request, and it would issue a second time.
    return true;
  }

  /**
   * While the request is pending, a Certificate annotated `cert-manager.io/issue-temporary-certificate`
   * whose Secret holds no usable key pair gets a throw-away certificate for the next key (§2.7), so
   * its users can start; it has no issuer annotations, so the real certificate replaces it.
   */
  async #temporaryCertificate(work: Work): Promise<void> {
    if (work.cached.metadata.annotations?.[ISSUE_TEMPORARY_CERTIFICATE_ANNOTATION] !== 'true') return;
    if (!firstViolation(temporaryCertificateChain, this.#policyInput(work))) return;
    const { pem, key } = work.nextKey!;
    const certificatePem = await temporaryCertificatePem(work.certificate, pem, new Date(work.now));
    await this.#applySecret(
      work,
      temporaryCertificateSecret({ certificate: work.certificate, privateKeyPem: pem, privateKey: key, certificatePem, ...(work.secret?.type ? { existingType: work.secret.type } : {}) }),
      key,
    );
    this.#event(work, 'Normal', 'Issuing', 'Issued temporary certificate');
  }

  #failIssuance(work: Work, reason: string, message: string): void {
    const attempts = (work.certificate.status?.failedIssuanceAttempts ?? 0) + 1;
    const text = FAILED_MESSAGE_PREFIX + message;
    this.#setCondition(work, 'Issuing', 'False', reason, text);
    this.#setStatus(work, { lastFailureTime: rfc3339(new Date(work.now)), failedIssuanceAttempts: attempts });
    this.#event(work, 'Warning', reason, text);
    const until = backoffUntil(work.certificate.status, this.#o.issuanceBackoff ?? DEFAULT_ISSUANCE_BACKOFF);
    if (until !== undefined) work.wakeAt.push(until);
  }

  async #keystorePasswords(work: Work): Promise<KeystorePasswords> {
    const { jks, pkcs12 } = work.certificate.spec.keystores ?? {};
    const read = async (ref: { name: string; key?: string } | undefined): Promise<string | undefined> => {
      if (!ref) return undefined;
      const secret = await this.#o.client.find<KubeSecret>(SECRETS, { namespace: work.cached.metadata.namespace, name: ref.name });
      const value = secret && ref.key ? secretDataBytes(asV1Secret(secret), ref.key) : undefined;
      if (value === undefined) {
        const message = `Secret ${JSON.stringify(ref.name)} with key ${JSON.stringify(ref.key ?? '')} holding the keystore password was not found`;
        this.#event(work, 'Warning', 'KeystorePasswordSecretNotFound', message);
        throw new Error(message);
      }
      return value.toString('utf8');
    };
    const passwords: KeystorePasswords = {};
    if (jks?.create && jks.passwordSecretRef) passwords.jks = await read(jks.passwordSecretRef);
    if (pkcs12?.create && pkcs12.passwordSecretRef) passwords.pkcs12 = await read(pkcs12.passwordSecretRef);
    return passwords;
  }

  #ownerRef(work: Work): { ownerRef?: ReturnType<typeof certificateOwnerReference> } {
    return this.#o.enableCertificateOwnerRef ? { ownerRef: certificateOwnerReference(work.cached) } : {};
  }

  /** Applies `desired`, whose `tls.key` encodes `key` (known, so the applied version is not parsed again). */
  async #applySecret(work: Work, desired: V1Secret, key: KeyObject): Promise<void> {
    const ref = { namespace: work.cached.metadata.namespace, name: work.cached.spec.secretName };
    const before = this.#o.ownedSecrets.get(ref)?.metadata.resourceVersion;
    const applied = await this.#o.client.apply<KubeSecret>(SECRETS, asKubeSecret(desired), { fieldManager: this.#fieldManager, force: true });
    const after = applied.metadata.resourceVersion;
    rememberSecretPrivateKey(asV1Secret(applied), key);
    this.#o.pendingWrites.expect(work.key, () => {
      const seen = this.#o.ownedSecrets.get(ref)?.metadata.resourceVersion;
      return seen === after || (seen !== undefined && seen !== before);
    });
    work.secret = applied;
    work.secretState = this.#inspect(applied);
  }

  // ---- stage 5: secret upkeep ------------------------------------------------------------------

  /** After issuance: put back labels, annotations and data keys of ours that drifted on the Secret. */
  async #secretUpkeep(work: Work): Promise<boolean> {
    const state = work.secretState;
    if (!work.secretUpToDate || !state.exists || state.privateKey.status !== 'parsed' || state.certificate.status !== 'parsed') return true;
    const checkedFor = `${work.cached.metadata.uid}:${work.cached.metadata.generation}`;
    if (work.secret && this.#upkeptFor.get(work.secret) === checkedFor) return true;
    const keystoreEncoders = await keystoreEncodersFor(work.certificate);
    const desiredFor = (keystorePasswords: KeystorePasswords) =>
      desiredSecret({
        certificate: work.certificate,
        privateKeyPem: state.privateKey.status === 'parsed' ? state.privateKey.pem : '',
        ...(state.privateKey.status === 'parsed' ? { privateKey: state.privateKey.key } : {}),
        certificatePem: state.certificate.status === 'parsed' ? state.certificate.pem : '',
        ...(state.certificate.status === 'parsed' ? { leaf: state.certificate.leaf } : {}),
        ...(state.caPem ? { caPem: state.caPem } : {}),
        issuerRef: work.certificate.spec.issuerRef,
        keystorePasswords,
        ...keystoreEncoders,
        ...this.#ownerRef(work),
        ...(state.secret.type ? { existingType: state.secret.type } : {}),
        now: new Date(work.now),
      });
    // Keystores are compared by presence only, so checking needs no real password (nor a read).
    const violation = secretUpkeepViolation(state.secret, desiredFor({ jks: '', pkcs12: '' }), { fieldManager: this.#fieldManager });
    if (!violation) {
      if (work.secret) this.#upkeptFor.set(work.secret, checkedFor);
      return true;
    }
    if (violation.reason === UpkeepReason.ManagedFieldsParseError) {
      work.log?.warn({ reason: violation.reason }, violation.message);
      return true;
    }
    work.log?.info({ reason: violation.reason }, `re-applying Secret: ${violation.message}`);
    await this.#applySecret(work, desiredFor(await this.#keystorePasswords(work)), state.privateKey.key);
    return true;
  }

  // ---- stage 6: readiness ----------------------------------------------------------------------

  /**
   * Ready follows cert-manager's readiness chain: the Secret exists, has its data, its key matches
   * its certificate, the current request matches the spec, and the certificate is neither near nor
   * past expiry. There is no issuer-annotation check, so a temporary certificate
   * (`cert-manager.io/issue-temporary-certificate`) makes the Certificate Ready while its real
   * request is pending, as in cert-manager; kept for compatibility (tools wait on Ready).
   */
  async #readiness(work: Work): Promise<boolean> {
    const state = work.secretState;
    const renewal = this.#renewal(work);
    const violation: Violation | undefined =
      this.#violation(work, READINESS_TAIL) ??
      (renewal?.windowError ? { reason: 'WindowError', message: renewal.windowError } : undefined);
    if (violation) {
      const message = work.blocker ? `${violation.message.replace(/\.?$/, '.')} ${work.blocker}` : violation.message;
      this.#setCondition(work, 'Ready', 'False', violation.reason, message);
    }
    else this.#setCondition(work, 'Ready', 'True', 'Ready', READY_MESSAGE);

    const leaf = state.exists && state.certificate.status === 'parsed' ? state.certificate.leaf : undefined;
    this.#setStatus(work, {
      notBefore: leaf ? rfc3339(leaf.notBefore) : undefined,
      notAfter: leaf ? rfc3339(leaf.notAfter) : undefined,
      renewalTime: leaf && renewal ? rfc3339(renewal.time) : undefined,
    });
    if (leaf) {
      // Expiry turns Ready False even when renewal is disabled or failing.
      work.wakeAt.push(leaf.notAfter.getTime() + 1000);
      if (renewal && !isIssuing(work.certificate)) work.wakeAt.push(renewal.time.getTime());
    }
    return true;
  }

  // ---- stage 7: revisions ----------------------------------------------------------------------

  async #revisions(work: Work): Promise<boolean> {
    const ready = findCondition(work.certificate.status?.conditions, 'Ready')?.status === 'True';
    // While a new revision is being requested its request must not count against the limit.
    if (!ready || isIssuing(work.certificate)) return true;
    for (const request of revisionsToPrune(work.requests, revisionHistoryLimitFor(work.certificate.spec))) {
      await this.#deleteOwned(work, CERTIFICATE_REQUESTS, request, this.#o.requests);
    }
    return true;
  }

  // ---- shared helpers --------------------------------------------------------------------------

  /** The first violation of the shared Secret checks, else of `tail` (the rest of one chain). */
  #violation(work: Work, tail: PolicyChain): Violation | undefined {
    const input = this.#policyInput(work);
    const revision = work.certificate.status?.revision;
    let shared = work.sharedChecks;
    if (!shared || shared.secretState !== work.secretState || shared.revision !== revision) {
      shared = work.sharedChecks = { secretState: work.secretState, revision, violation: firstViolation(SHARED_CHECKS, input) };
    }
    return shared.violation ?? firstViolation(tail, input);
  }

  #policyInput(work: Work) {
    const revision = work.certificate.status?.revision;
    const currentRequest = revision === undefined ? undefined : requestForRevision(work.requests, revision);
    const renewal = this.#renewal(work);
    return {
      certificate: work.certificate,
      secret: work.secretState,
      ...(currentRequest ? { currentRequest } : {}),
      now: work.now,
      ...(renewal ? { renewalTime: renewal.time.getTime() } : {}),
    };
  }

  /** Renewal time of the certificate in the Secret, with this controller's jitter. */
  #renewal(work: Work): RenewalTime | undefined {
    const state = work.secretState;
    if (work.renewal?.secretState !== state) work.renewal = { secretState: state, time: this.#renewalOf(work, state) };
    return work.renewal.time;
  }

  /** What #renewal computes; it depends on the Secret and on what a reconcile does not change (spec, uid, ARI status). */
  #renewalOf(work: Work, state: SecretState): RenewalTime | undefined {
    if (!state.exists || state.certificate.status !== 'parsed') return undefined;
    const { leaf } = state.certificate;
    return renewalTime({
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      certificate: work.certificate,
      ...(this.#o.renewalJitter !== undefined ? { jitter: this.#o.renewalJitter } : {}),
      ...ariRenewalInput(work.certificate, leaf.notBefore),
    });
  }

  #setCondition(work: Work, type: 'Ready' | 'Issuing', status: 'True' | 'False', reason: string, message: string): void {
    const generation = work.cached.metadata.generation;
    const conditions = withCondition(
      work.certificate.status?.conditions,
      { type, status, reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}) },
      work.now,
    );
    this.#setStatus(work, { conditions });
  }

  #setStatus(work: Work, changes: Partial<CertificateStatus>): void {
    work.certificate = { ...work.certificate, status: compactStatus({ ...work.certificate.status, ...changes }) };
  }

  async #writeStatus(work: Work): Promise<void> {
    const before = compactStatus(work.cached.status ?? {});
    const after = compactStatus(work.certificate.status ?? {});
    if (canonicalJson(before) === canonicalJson(after)) return;
    // A stale cache gives 409 Conflict here; the runtime requeues at once and the next reconcile
    // decides again from fresh objects (every write above is idempotent).
    await this.#o.client.updateStatus(CERTIFICATES, { ...work.cached, status: after });
    const ref = parseKey(work.key);
    const previous = work.cached.metadata.resourceVersion;
    this.#o.pendingWrites.expect(work.key, () => this.#o.certificates.get(ref)?.metadata.resourceVersion !== previous);
  }

  async #deleteOwned(work: Work, type: ResourceType, obj: KubeObject, cache: ObjectCache): Promise<void> {
    const ref = { namespace: obj.metadata.namespace, name: obj.metadata.name! };
    const uid = obj.metadata.uid;
    try {
      await this.#o.client.delete(type, ref, uid ? { preconditions: { uid } } : {});
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.#o.pendingWrites.expect(work.key, () => cache.get(ref)?.metadata.uid !== uid);
  }

  #expectPresent(work: Work, cache: ObjectCache, ref: ObjectRef): void {
    this.#o.pendingWrites.expect(work.key, () => cache.get(ref) !== undefined);
  }

  #event(work: Work, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.#o.events.event(work.cached, type, reason, message);
  }
}

/** The CertificateRequest condition that ends an issuance attempt in failure, if any (§2.2 step 6). */
export function requestFailure(request: CertificateRequest): { reason: string; message: string } | undefined {
  const conditions = request.status?.conditions;
  const as = (type: string) => {
    const c = findCondition(conditions, type)!;
    return { reason: c.reason || type, message: c.message ?? '' };
  };
  if (isDenied(request)) return as(CONDITION_DENIED);
  if (hasInvalidRequest(request)) return as(CONDITION_INVALID_REQUEST);
  if (readyReason(request) === REASON_FAILED) return as(CONDITION_READY);
  return undefined;
}

/** Why an issued certificate cannot be stored (it does not decode, is for another key, or has expired). */
export function issuedCertificateProblem(certificatePem: string, nextKey: KeyObject, now: number): string | undefined {
  let leaf;
  try {
    [leaf] = parsedCertificateChain(certificatePem);
  } catch (err) {
    return `the issued certificate cannot be decoded: ${describe(err)}`;
  }
  if (!leaf) return 'the CertificateRequest holds no certificate';
  if (!publicKeysEqual(leaf, nextKey)) return 'the issued certificate is not for the private key that was requested';
  if (leaf.notAfter.getTime() <= now) return `the issued certificate expired on ${leaf.notAfter.toISOString()}`;
  return undefined;
}

/** `ns/secretName` of a Certificate, the value it is indexed under in {@link CERTIFICATES_BY_SECRET_NAME}. */
export function secretNameIndexValue(certificate: Certificate): string[] {
  return [keyOf({ namespace: certificate.metadata.namespace, name: certificate.spec.secretName })];
}

/** Parses the RFC 3339 `status.renewalTime` (undefined when unset or unreadable). */
export function statusRenewalTime(certificate: Certificate): number | undefined {
  return timeOf(certificate.status?.renewalTime);
}
