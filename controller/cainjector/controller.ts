/**
 * CA injection (reference §6.3), in-process: cert-manager runs it as the separate `cainjector`
 * binary, certwright as the opt-in `cainjector` controller. Level-triggered per target object:
 * resolve its CA source, merge the CA into every caBundle of the target (old CAs stay until they
 * expire, see ca-bundle.ts) and server-side apply the bundles that changed. A target is synced when
 * it changes, when its source Secret or Certificate changes, and when a kept old CA expires.
 */
import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeObject } from '../../apiserver/admission.js';
import type { Certificate } from '../../api/types.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { parseCertificateBundle } from '../../pki/index.js';
import { SecretWatches } from '../issuers/secret-watches.js';
import { DEFAULT_BACKOFF } from '../runtime/backoff.js';
import type { KubeClient } from '../runtime/client.js';
import { Controller, type Result, type SyncHooks } from '../runtime/controller.js';
import { enqueueMapped } from '../runtime/handlers.js';
import { Informer } from '../runtime/informer.js';
import { keyOf, objectKey, parseKey } from '../runtime/keys.js';
import { SECRETS } from '../runtime/resources.js';
import type { TimerQueue } from '../runtime/timers.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { mergeCaBundles } from './ca-bundle.js';
import { injectionTargetsOnly } from './cache.js';
import { caSourceOf, secretCa, type CaSource, type SecretCa } from './sources.js';
import { INJECTABLE_KINDS, type InjectableKind } from './targets.js';

export const CAINJECTOR_CONTROLLER_NAME = 'cainjector';
export const CAINJECTOR_FIELD_MANAGER = 'certwright-cainjector';

/** Re-merge this long after a kept CA's notAfter, so it is surely expired by then. */
const EXPIRY_MARGIN_MS = 1_000;

export interface InjectionTargets {
  kind: InjectableKind;
  /** Only objects with an injection annotation, stripped (see cache.ts). */
  informer: Informer<KubeObject>;
}

/** The filtered, stripped informers of every injectable kind. */
export function injectionTargetInformers(client: KubeClient, timers: TimerQueue, onError: (err: unknown) => void, kinds = INJECTABLE_KINDS): InjectionTargets[] {
  return kinds.map((kind) => ({
    kind,
    informer: new Informer<KubeObject>({ source: injectionTargetsOnly(client.listerWatcher<KubeObject>(kind.resource), kind.strip), timers, onError }),
  }));
}

/** The API server CA of a kubeconfig (its certificate-authority data or file, or the in-cluster CA). */
export async function apiServerCaPem(kubeConfig: KubeConfig): Promise<string | undefined> {
  const tls: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(tls);
  const ca = tls.ca;
  if (!ca) return undefined;
  return (Array.isArray(ca) ? ca : [ca]).map((c) => c.toString()).join('\n');
}

export interface CaInjectorOptions {
  client: KubeClient;
  timers: TimerQueue;
  targets: readonly InjectionTargets[];
  /** Every Certificate (the manager's informer), for `inject-ca-from`. */
  certificates: Informer<Certificate>;
  /** For `inject-apiserver-ca: "true"`. */
  apiServerCa?: string;
  workers?: number;
  hooks?: SyncHooks;
  log?: Logger;
  onError?: (err: unknown) => void;
}

export class CaInjector {
  readonly controller: Controller;
  readonly targets: readonly InjectionTargets[];
  #options: CaInjectorOptions;
  #kinds = new Map<string, InjectionTargets>();
  #secretWatches: SecretWatches;
  /** Certificate key → targets injecting from it, and back. */
  #targetsOfCertificate = new Map<string, Set<string>>();
  #certificateOfTarget = new Map<string, string>();

  constructor(options: CaInjectorOptions) {
    this.#options = options;
    this.targets = options.targets;
    const queue = new WorkQueue({ name: CAINJECTOR_CONTROLLER_NAME, timers: options.timers, backoff: DEFAULT_BACKOFF });
    this.controller = new Controller({
      name: CAINJECTOR_CONTROLLER_NAME,
      queue,
      reconcile: (key) => this.sync(key),
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });
    for (const target of options.targets) {
      this.#kinds.set(target.kind.name, target);
      target.informer.addEventHandler(enqueueMapped(queue, (obj: KubeObject) => [targetKey(target.kind, obj.metadata.name!)]));
    }
    options.certificates.addEventHandler(enqueueMapped(queue, (certificate: Certificate) => [...(this.#targetsOfCertificate.get(objectKey(certificate)) ?? [])]));
    this.#secretWatches = new SecretWatches({
      client: options.client,
      timers: options.timers,
      onChange: (keys) => keys.forEach((key) => queue.add(key)),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  start(): void {
    this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
    await this.#secretWatches.stop();
  }

  /** Secrets watched as CA sources (for tests and diagnostics). */
  get watchedSecrets(): string[] {
    return this.#secretWatches.watchedSecrets;
  }

  /** One pass over the target named `key` (`<kind>/<name>`). */
  async sync(key: string): Promise<Result> {
    const { namespace: kindName, name } = parseKey(key);
    const target = this.#kinds.get(kindName ?? '');
    const obj = target?.informer.get({ name });
    const source = obj && !obj.metadata.deletionTimestamp ? caSourceOf(obj.metadata.annotations) : undefined;
    if (!target || !obj || !source) {
      this.#track(key, undefined, []);
      return {};
    }
    const ca = await this.#resolve(key, source);
    if (!ca.ok) {
      this.#options.log?.info({ target: key, reason: ca.reason }, 'no CA to inject');
      return {};
    }
    try {
      parseCertificateBundle(ca.pem);
    } catch (err) {
      this.#options.log?.warn({ target: key, err: (err as Error).message }, 'the CA source holds no valid certificates; not injecting');
      return {};
    }
    return this.#inject(target.kind, obj, ca.pem);
  }

  async #inject(kind: InjectableKind, obj: KubeObject, sourcePem: string): Promise<Result> {
    const { client, timers } = this.#options;
    const now = timers.clock.now();
    const bundles = new Map<string, string>();
    let changed = false;
    let nextExpiry: number | undefined;
    for (const point of kind.injectionPoints(obj)) {
      const existing = point.caBundle ? Buffer.from(point.caBundle, 'base64').toString('utf8') : '';
      const merged = mergeCaBundles(existing, sourcePem, now);
      const caBundle = Buffer.from(merged.pem).toString('base64');
      bundles.set(point.id, caBundle);
      changed ||= caBundle !== point.caBundle;
      if (merged.nextExpiry !== undefined) nextExpiry = Math.min(nextExpiry ?? Infinity, merged.nextExpiry);
    }
    if (changed) await client.apply(kind.resource, kind.applyConfiguration(obj, bundles), { fieldManager: CAINJECTOR_FIELD_MANAGER, force: true });
    return nextExpiry === undefined ? {} : { requeueAfterMs: nextExpiry - now + EXPIRY_MARGIN_MS };
  }

  async #resolve(key: string, source: CaSource): Promise<SecretCa> {
    const { client, certificates, apiServerCa } = this.#options;
    if (source.from === 'apiserver') {
      this.#track(key, undefined, []);
      return apiServerCa ? { ok: true, pem: apiServerCa } : { ok: false, reason: 'the API server CA is not known' };
    }
    if (source.from === 'secret') {
      this.#track(key, undefined, [source]);
      return secretCa(await client.find<KubeSecret>(SECRETS, source), source);
    }
    const certificate = certificates.get(source);
    const secretRef = certificate && { namespace: source.namespace, name: certificate.spec.secretName };
    this.#track(key, keyOf(source), secretRef ? [secretRef] : []);
    if (!secretRef) return { ok: false, reason: `Certificate ${keyOf(source)} does not exist` };
    return secretCa(await client.find<KubeSecret>(SECRETS, secretRef), source, source.name);
  }

  /** Makes target `key` depend on exactly this Certificate and these Secrets. */
  #track(key: string, certificateKey: string | undefined, secrets: ReadonlyArray<{ namespace: string; name: string }>): void {
    this.#secretWatches.track(key, secrets);
    const previous = this.#certificateOfTarget.get(key);
    if (previous === certificateKey) return;
    if (previous !== undefined) {
      const targets = this.#targetsOfCertificate.get(previous);
      targets?.delete(key);
      if (targets?.size === 0) this.#targetsOfCertificate.delete(previous);
      this.#certificateOfTarget.delete(key);
    }
    if (certificateKey !== undefined) {
      this.#certificateOfTarget.set(key, certificateKey);
      this.#targetsOfCertificate.set(certificateKey, (this.#targetsOfCertificate.get(certificateKey) ?? new Set()).add(key));
    }
  }
}

function targetKey(kind: InjectableKind, name: string): string {
  return keyOf({ namespace: kind.name, name });
}
