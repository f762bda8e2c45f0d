/**
 * ACME Renewal Information (RFC 9773) decisions: which certificate a new Order `replaces`, and
 * when to renew inside the server's suggested window.
 */
import { createHash } from 'node:crypto';
import type { Certificate, CertificateRequest, Order } from '../../api/types.js';
import { CERTIFICATE_NAME_ANNOTATION, TLS_CERTIFICATE_KEY } from '../../api/well-known.js';
import { rfc3339 } from '../../apiserver/time.js';
import { ORDER_ACCOUNT_ANNOTATION } from '../../issuers/acme/issuer.js';
import { ORDERS_BY_CERT_ID } from '../../issuers/acme/orders.js';
import { isAcmeProblem } from '../../issuers/acme/problem.js';
import { describeError, secretValue, type GenericIssuer, type IssuerContext } from '../../issuers/backend.js';
import { ariCertId, type CertificateInfo } from '../../pki/index.js';
import { parsedCertificateChain } from '../certificates/secret-state.js';
import type { Controller, Result } from '../runtime/controller.js';
import { enqueueObject } from '../runtime/handlers.js';
import type { EventHandler, Informer } from '../runtime/informer.js';
import { parseKey } from '../runtime/keys.js';
import { CERTIFICATES } from '../runtime/resources.js';
import { IssuerLookup, queueController, type AcmeControllerOptions } from './queue.js';

export const ARI_CONTROLLER_NAME = 'acme-renewal-info';
const HOUR_MS = 3_600_000;
/** cert-manager's design: Retry-After clamped to [1 h, 7 d]; 24 h when the server sends none. */
export const DEFAULT_ARI_POLL_BOUNDS = { minMs: HOUR_MS, maxMs: 7 * 24 * HOUR_MS, defaultMs: 24 * HOUR_MS };
/** A 4xx means ARI is unsupported for this certificate: look again a day later. */
const ARI_UNSUPPORTED_RETRY_MS = 24 * HOUR_MS;
/** 5xx and network failures: try again in an hour. */
const ARI_FAILURE_RETRY_MS = HOUR_MS;
/** ±10 % jitter on the next poll so certificates fetched together spread out. */
const POLL_JITTER = 0.1;

/** ARI is on unless the issuer says `renewalInformationSource: None`. */
export function ariEnabled(issuer: GenericIssuer): boolean {
  return issuer.spec.acme !== undefined && issuer.spec.acme.renewalInformationSource !== 'None';
}

export interface ReplacesSources {
  certificates: Informer<Certificate>;
  /** Must carry `orderIndexers`. */
  orders: Informer<Order>;
  context: IssuerContext;
}

/**
 * The CertID for `replaces`: that of the leaf in the request's Certificate's Secret, but only when
 * an Order of this same ACME account issued it (a certificate from another CA or account makes the
 * server reject the order, cert-manager#9074).
 */
export async function replacesFor(request: CertificateRequest, issuer: GenericIssuer, accountUri: string, sources: ReplacesSources): Promise<string | undefined> {
  if (!ariEnabled(issuer)) return undefined;
  const name = request.metadata.annotations?.[CERTIFICATE_NAME_ANNOTATION];
  const namespace = request.metadata.namespace ?? '';
  const certificate = name ? sources.certificates.get({ namespace, name }) : undefined;
  if (!certificate) return undefined;
  const leaf = await currentLeaf(certificate, sources.context);
  if (!leaf) return undefined;
  let certId: string;
  try {
    certId = ariCertId(leaf);
  } catch {
    return undefined;
  }
  const issuedHere = sources.orders.byIndex(ORDERS_BY_CERT_ID, certId).some((o) => o.metadata.annotations?.[ORDER_ACCOUNT_ANNOTATION] === accountUri);
  return issuedHere ? certId : undefined;
}

/**
 * The leaf in a Certificate's Secret, undefined when there is none or it does not decode. Parsed
 * through the Certificate controller's cache of recent chains: the Secret an issuance just wrote
 * wakes this controller too.
 */
async function currentLeaf(certificate: Certificate, context: IssuerContext): Promise<CertificateInfo | undefined> {
  const secret = await context.getSecret(certificate.metadata.namespace ?? '', certificate.spec.secretName);
  const pem = secret && secretValue(secret, TLS_CERTIFICATE_KEY);
  if (!pem) return undefined;
  try {
    return parsedCertificateChain(pem.toString('utf8'))[0];
  } catch {
    return undefined;
  }
}

/** A stable fraction in [0, 1) for this certificate and window: the renewal instant is uniform across certificates and fixed across reconciles. */
export function ariWindowFraction(identity: string, window: { start: string; end: string }): number {
  return createHash('sha256').update(`${identity}/${window.start}/${window.end}`).digest().readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The renewal-time inputs ARI adds for the certificate in the Secret (issued at `leafNotBefore`):
 * the suggested window, when it was fetched for this certificate (after it was issued), with the
 * certificate's stable pick inside it. Empty otherwise, so normal renewal applies.
 */
export function ariRenewalInput(certificate: Certificate, leafNotBefore: Date): { ariWindow?: { start: Date; end: Date }; random?: () => number } {
  const ari = certificate.status?.acme?.ari;
  const window = ari?.suggestedWindow;
  if (!window?.start || !window.end || !ari?.lastChecked) return {};
  if (Date.parse(ari.lastChecked) < leafNotBefore.getTime() - 1000) return {};
  const start = new Date(window.start);
  const end = new Date(window.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) return {};
  const fraction = ariWindowFraction(certificate.metadata.uid ?? `${certificate.metadata.namespace}/${certificate.metadata.name}`, { start: window.start, end: window.end });
  return { ariWindow: { start, end }, random: () => fraction };
}

/** When to fetch renewalInfo again: Retry-After clamped to the bounds (default when absent), ±10 % jitter. */
export function ariNextCheck(retryAt: number | undefined, now: number, bounds = DEFAULT_ARI_POLL_BOUNDS, random: () => number = Math.random): number {
  const wanted = retryAt === undefined ? bounds.defaultMs : Math.min(bounds.maxMs, Math.max(bounds.minMs, retryAt - now));
  return now + Math.round(wanted * (1 + POLL_JITTER * (2 * random() - 1)));
}

export interface AriControllerOptions extends AcmeControllerOptions {
  certificates: Informer<Certificate>;
  pollBounds?: typeof DEFAULT_ARI_POLL_BOUNDS;
}

type AriStatus = NonNullable<NonNullable<NonNullable<Certificate['status']>['acme']>['ari']>;

/**
 * Polls renewalInfo for Certificates of ACME issuers with ARI on and records it in
 * `status.acme.ari`; the Certificate controller turns that into `renewalTime` (ariRenewalInput).
 * Failures never block renewal: they are recorded, evented once per distinct error, and retried later.
 */
export class AriController {
  readonly controller: Controller;
  #o: AriControllerOptions;
  #issuers: IssuerLookup;

  constructor(options: AriControllerOptions) {
    this.#o = options;
    this.#issuers = new IssuerLookup(options.issuers, options.clusterIssuers);
    const { queue, controller } = queueController(ARI_CONTROLLER_NAME, options, (key) => this.#reconcile(key));
    this.controller = controller;
    options.certificates.addEventHandler(enqueueObject(queue) as EventHandler<Certificate>);
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async #reconcile(key: string): Promise<Result> {
    const certificate = this.#o.certificates.get(parseKey(key));
    const issuer = certificate && this.#issuers.of(certificate);
    if (!certificate || !issuer?.spec.acme) return {};
    const ari = certificate.status?.acme?.ari;
    if (!ariEnabled(issuer)) {
      // `None` also forgets what was fetched, so it stops steering renewal (cert-manager#9060 review).
      if (ari) await this.#patch(certificate, null);
      return {};
    }
    if (!issuer.status?.acme?.uri) return {};
    const leaf = await currentLeaf(certificate, this.#o.context);
    let certId: string;
    try {
      if (!leaf) return {};
      certId = ariCertId(leaf);
    } catch {
      return {};
    }
    const now = this.#o.timers.clock.now();
    const nextCheck = Date.parse(ari?.nextCheck ?? '');
    const checkedThisLeaf = Date.parse(ari?.lastChecked ?? '') >= leaf.notBefore.getTime() - 1000 || (ari?.lastError !== undefined && !ari.lastChecked);
    if (checkedThisLeaf && nextCheck > now) return { requeueAfterMs: nextCheck - now };

    const { client } = await this.#o.accounts.accountFor(issuer, this.#o.context, { generateKey: false });
    try {
      const info = await client.renewalInfo(certId);
      if (!info) return { requeueAfterMs: ARI_UNSUPPORTED_RETRY_MS };
      const next = ariNextCheck(info.retryAt, now, this.#o.pollBounds);
      await this.#patch(certificate, {
        suggestedWindow: info.suggestedWindow,
        ...(info.explanationURL ? { explanationURL: info.explanationURL } : {}),
        lastChecked: rfc3339(new Date(now)),
        nextCheck: rfc3339(new Date(next)),
      });
      return { requeueAfterMs: next - now };
    } catch (err) {
      const unsupported = isAcmeProblem(err) && err.status >= 400 && err.status < 500;
      const retryMs = unsupported ? ARI_UNSUPPORTED_RETRY_MS : ARI_FAILURE_RETRY_MS;
      const message = `Failed to fetch ACME renewal information: ${describeError(err)}`;
      if (ari?.lastError !== message) this.#o.events.event(certificate, 'Warning', 'ARIFetchFailed', message);
      const { suggestedWindow: _window, explanationURL: _url, ...kept } = ari ?? {};
      await this.#patch(certificate, { ...kept, lastError: message, nextCheck: rfc3339(new Date(now + retryMs)) });
      return { requeueAfterMs: retryMs };
    }
  }

  /** Replaces status.acme.ari (null removes it) with a merge patch: no conflict with the Certificate controller's writes. */
  async #patch(certificate: Certificate, ari: AriStatus | null): Promise<void> {
    const replacement = ari === null ? null : { suggestedWindow: null, explanationURL: null, lastChecked: null, nextCheck: null, lastError: null, ...ari };
    await this.#o.client.patch(CERTIFICATES, { namespace: certificate.metadata.namespace, name: certificate.metadata.name! }, { status: { acme: { ari: replacement } } }, { subresource: 'status' });
  }
}
