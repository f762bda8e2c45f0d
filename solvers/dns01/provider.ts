/**
 * The contract between the ACME Challenge controller and DNS-01 providers (certmagic-style: one
 * provider per file, registered in one place). The request mirrors cert-manager's webhook
 * `ChallengeRequest`, so the webhook provider can forward it unchanged and every provider sees the
 * same, already-resolved names.
 */
import type { ACMEChallengeSolverDNS01 } from '../../api/types.js';
import type { KubeSecret } from '../../issuers/backend.js';

export interface Dns01Request {
  /** The Challenge's uid: lets a provider tell two challenges for one name apart. */
  uid: string;
  /** The identifier being validated, without a leading `*.` (e.g. `example.com`). */
  dnsName: string;
  /** The TXT record value (the key authorization digest). */
  key: string;
  /** The record to write, after `cnameStrategy: Follow`, fully qualified with a trailing dot. */
  resolvedFQDN: string;
  /** The zone apex `resolvedFQDN` lives in, with a trailing dot. */
  resolvedZone: string;
  /** Where the provider may read Secrets: the Issuer's namespace, or the cluster resource namespace. */
  resourceNamespace: string;
  /** `--issuer-ambient-credentials` / `--cluster-issuer-ambient-credentials` for this issuer kind. */
  allowAmbientCredentials: boolean;
}

export interface Dns01Context {
  /** Reads a Secret, only ever from `request.resourceNamespace`; undefined when it does not exist. */
  getSecret(namespace: string, name: string): Promise<KubeSecret | undefined>;
}

export interface Dns01Provider {
  /** The ACMEChallengeSolverDNS01 member that selects this provider: 'rfc2136', 'route53', … */
  readonly name: string;
  /** Creates the TXT record (idempotent: presenting twice leaves one record with `key`). */
  present(request: Dns01Request, config: ACMEChallengeSolverDNS01, ctx: Dns01Context): Promise<void>;
  /** Removes only the TXT value `key`, leaving other values of the same name alone. */
  cleanUp(request: Dns01Request, config: ACMEChallengeSolverDNS01, ctx: Dns01Context): Promise<void>;
}
