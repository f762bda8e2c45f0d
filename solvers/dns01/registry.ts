/**
 * The one place DNS-01 providers are registered, and the entry points the Challenge controller
 * calls: pick the provider the solver configures, and present or clean up through it with Secret
 * reads confined to the request's namespace.
 */
import type { ACMEChallengeSolverDNS01 } from '../../api/types.js';
import { DNS01_PROVIDERS } from '../../api/schema/acme.js';
import { createAcmeDnsProvider } from './acme-dns.js';
import { createCloudflareProvider, type CloudflareOptions } from './cloudflare.js';
import type { HttpJsonOptions } from './http-json.js';
import type { Dns01Context, Dns01Provider, Dns01Request } from './provider.js';
import { createRfc2136Provider, type Rfc2136Options } from './rfc2136.js';
import { createRoute53Provider, type Route53Options } from './route53.js';
import { namespaceScopedContext } from './secrets.js';
import { createWebhookProvider, type WebhookTransport } from './webhook.js';

export interface Dns01ProviderOptions {
  rfc2136?: Rfc2136Options;
  route53?: Route53Options;
  cloudflare?: CloudflareOptions;
  acmeDNS?: HttpJsonOptions;
  /** How webhook solvers are reached: POST to a path on the Kubernetes API server. */
  webhook?: WebhookTransport;
}

export type Dns01Providers = ReadonlyMap<string, Dns01Provider>;

export function createDns01Providers(options: Dns01ProviderOptions = {}): Dns01Providers {
  const providers = [
    createRfc2136Provider(options.rfc2136),
    createRoute53Provider(options.route53),
    createCloudflareProvider(options.cloudflare),
    createAcmeDnsProvider(options.acmeDNS),
    createWebhookProvider(options.webhook),
  ];
  return new Map(providers.map((p) => [p.name, p]));
}

/** The provider the solver configures; a clear error for none, several, or one we do not implement. */
export function providerFor(config: ACMEChallengeSolverDNS01, providers: Dns01Providers): Dns01Provider {
  const configured = DNS01_PROVIDERS.filter((name) => config[name] !== undefined);
  if (configured.length === 0) throw new Error('dns01 solver configures no provider');
  if (configured.length > 1) throw new Error(`dns01 solver configures more than one provider: ${configured.join(', ')}`);
  const provider = providers.get(configured[0]!);
  if (!provider) throw new Error(`dns01 provider ${configured[0]} is not supported by certwright (supported: ${[...providers.keys()].join(', ')})`);
  return provider;
}

export async function presentDns01(request: Dns01Request, config: ACMEChallengeSolverDNS01, ctx: Dns01Context, providers: Dns01Providers): Promise<void> {
  return providerFor(config, providers).present(request, config, namespaceScopedContext(ctx, request.resourceNamespace));
}

export async function cleanUpDns01(request: Dns01Request, config: ACMEChallengeSolverDNS01, ctx: Dns01Context, providers: Dns01Providers): Promise<void> {
  return providerFor(config, providers).cleanUp(request, config, namespaceScopedContext(ctx, request.resourceNamespace));
}
