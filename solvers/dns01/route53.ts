/**
 * The Route53 DNS-01 provider. The AWS SDK behind it (route53-sdk.ts) is loaded on first use: it
 * costs ~20 MiB of RSS that a controller without Route53 solvers should not pay.
 */
import type { ServiceAccountTokenSource } from '../../issuers/vault/service-account-tokens.js';
import type { Dns01Provider } from './provider.js';

export interface Route53Options {
  /** Route53 API endpoint (tests point it at a double); AWS's by default. */
  endpoint?: string;
  /** STS endpoint, likewise. */
  stsEndpoint?: string;
  /** For AssumeRoleWithWebIdentity (`auth.kubernetes`); the same TokenRequest source the Vault issuer uses. */
  serviceAccountToken?: ServiceAccountTokenSource;
  /** Between GetChange polls. */
  changePollIntervalMs?: number;
  /** GetChange polls before giving up on INSYNC. */
  maxChangePolls?: number;
  /** SDK attempts per call (throttling and transient errors are retried within them). */
  maxAttempts?: number;
}

export function createRoute53Provider(options: Route53Options = {}): Dns01Provider {
  const sdk = () => import('./route53-sdk.js');
  return {
    name: 'route53',
    present: async (request, config, ctx) => (await sdk()).applyRoute53Change(config, request, ctx, 'present', options),
    cleanUp: async (request, config, ctx) => (await sdk()).applyRoute53Change(config, request, ctx, 'cleanUp', options),
  };
}
