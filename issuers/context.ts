/**
 * The IssuerContext controllers hand to backends: Secrets read on demand from the API (only the
 * Secrets certwright owns are cached in full, by the owning controller's informer), and the
 * namespace rule for ClusterIssuer Secrets.
 */
import { keyOf } from '../controller/runtime/keys.js';
import type { KubeClient } from '../controller/runtime/client.js';
import type { Clock } from '../controller/runtime/clock.js';
import type { Informer } from '../controller/runtime/informer.js';
import { SECRETS } from '../controller/runtime/resources.js';
import type { GenericIssuer, IssuerContext, KubeSecret } from './backend.js';

/** cert-manager's `--cluster-resource-namespace` default. */
export const DEFAULT_CLUSTER_RESOURCE_NAMESPACE = 'kube-system';
/**
 * A fetched Secret is reused this long: a burst of signings against one CA then costs one GET
 * instead of one each, and a changed CA Secret is seen within this time (as an informer would lag).
 */
export const DEFAULT_SECRET_MAX_AGE_MS = 1_000;

export interface IssuerContextOptions {
  client: KubeClient;
  clock: Clock;
  /** Where ClusterIssuers' Secrets live. */
  clusterResourceNamespace?: string;
  /** The informer over Secrets certwright owns (next-private-key Secrets); consulted before the API. */
  ownedSecrets?: Informer<KubeSecret>;
  /** How long a fetched Secret is reused; 0 reads the API every time. Missing Secrets are never remembered. */
  secretMaxAgeMs?: number;
}

/** Where `issuer`'s Secrets live: its namespace, or the cluster resource namespace for a ClusterIssuer. */
export function issuerResourceNamespace(issuer: GenericIssuer, clusterResourceNamespace: string): string {
  return issuer.kind === 'ClusterIssuer' ? clusterResourceNamespace : (issuer.metadata.namespace ?? '');
}

interface FetchedSecret {
  secret: KubeSecret;
  fetchedAt: number;
}

/** Reads Secrets by name with a short reuse window and one request in flight per Secret. */
export class SecretReader {
  #client: KubeClient;
  #clock: Clock;
  #maxAgeMs: number;
  #ownedSecrets: Informer<KubeSecret> | undefined;
  /** Oldest first (re-inserted on refresh), so expired entries are dropped from the front. */
  #fetched = new Map<string, FetchedSecret>();
  #inFlight = new Map<string, Promise<KubeSecret | undefined>>();

  constructor(options: Pick<IssuerContextOptions, 'client' | 'clock' | 'ownedSecrets' | 'secretMaxAgeMs'>) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.#ownedSecrets = options.ownedSecrets;
    this.#maxAgeMs = options.secretMaxAgeMs ?? DEFAULT_SECRET_MAX_AGE_MS;
  }

  async get(namespace: string, name: string): Promise<KubeSecret | undefined> {
    const cached = this.#ownedSecrets?.get({ namespace, name });
    if (cached) return cached;
    const key = keyOf({ namespace, name });
    this.#dropExpired();
    const fetched = this.#fetched.get(key);
    if (fetched) return fetched.secret;
    let request = this.#inFlight.get(key);
    if (!request) {
      request = this.#fetch(key, namespace, name).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, request);
    }
    return request;
  }

  async #fetch(key: string, namespace: string, name: string): Promise<KubeSecret | undefined> {
    const secret = await this.#client.find<KubeSecret>(SECRETS, { namespace, name });
    this.#fetched.delete(key);
    if (secret && this.#maxAgeMs > 0) this.#fetched.set(key, { secret, fetchedAt: this.#clock.now() });
    return secret;
  }

  #dropExpired(): void {
    const oldest = this.#clock.now() - this.#maxAgeMs;
    for (const [key, entry] of this.#fetched) {
      if (entry.fetchedAt > oldest) break;
      this.#fetched.delete(key);
    }
  }
}

export function createIssuerContext(options: IssuerContextOptions): IssuerContext {
  const secrets = new SecretReader(options);
  const clusterResourceNamespace = options.clusterResourceNamespace ?? DEFAULT_CLUSTER_RESOURCE_NAMESPACE;
  return {
    getSecret: (namespace, name) => secrets.get(namespace, name),
    resourceNamespace: (issuer) => issuerResourceNamespace(issuer, clusterResourceNamespace),
    now: () => options.clock.now(),
  };
}
