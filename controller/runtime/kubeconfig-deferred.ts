/**
 * Stand-ins for what client-node's config.js (KubeConfig) imports but only some kubeconfigs use:
 * the Azure, GCP and OIDC auth-provider authenticators (jsonpath-plus; openid-client and jose),
 * the agents of a cluster's `proxy-url` (socks-proxy-agent, hpagent), node-fetch's `Headers`
 * (`applyToFetchOptions`) and the generated configuration `makeApiClient` builds (node-fetch again,
 * through the generated HTTP module). Loaded with KubeConfig they cost ~19 MiB RSS in a controller
 * whose kubeconfig uses a token, a client certificate, exec or in-cluster credentials
 * (docs/performance.md, lifecycle, session 5).
 *
 * Each stand-in loads the package's own module at its first use, as config.js would have imported
 * it, so the behaviour is client-node's. The uses inside config.js are synchronous (`new` and
 * calls), so loading is `require`, which loads ES modules synchronously since Node 20.19
 * (`process.features.require_module`; kubeconfig.ts loads the published module without it).
 */
import { createRequire } from 'node:module';
import type { Authenticator } from '@kubernetes/client-node/dist/auth.js';
import type { User } from '@kubernetes/client-node';

const CONFIG_PATH = createRequire(import.meta.url).resolve('@kubernetes/client-node/dist/config.js');
const importedByConfig = createRequire(CONFIG_PATH);

const standIns = new Map<string, Set<string>>();

/** The names each import of config.js that is stood in for here may import (kubeconfig.ts redirects those imports to this module). */
export const DEFERRED_IMPORTS: ReadonlyMap<string, ReadonlySet<string>> = standIns;

/**
 * `name` of the module config.js imports as `importedAs` (from `loadFrom`, the module that defines
 * it, when config.js imports it through a heavier index), loaded at the first call.
 */
function standIn<T>(importedAs: string, name: string, loadFrom: string = importedAs): () => T {
  const names = standIns.get(importedAs) ?? new Set<string>();
  standIns.set(importedAs, names.add(name));
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      loaded = (importedByConfig(loadFrom) as Record<string, T | undefined>)[name];
      if (loaded === undefined) throw new Error(`@kubernetes/client-node's ${loadFrom} has no export ${name}: this client-node layout is not supported`);
    }
    return loaded;
  };
}

type Callable = (...args: unknown[]) => unknown;

/** A class or function that is the real one: `new` gives the real class's instance, a call the real function's result. */
function deferred(load: () => Callable): Callable {
  return function standInFor(...args: unknown[]): unknown {
    const real = load();
    return new.target ? Reflect.construct(real, args) : real(...args);
  };
}

/**
 * KubeConfig constructs every authenticator with each instance and asks each in turn whether it
 * serves the current user. These three serve only users with their own `auth-provider` (each
 * answers false without one, checked against the package in the tests), so a user without one
 * never loads them; the in-cluster user (auth-provider `tokenFile`) loads the first two, which
 * precede the file authenticator, and not OIDC, which follows it.
 */
function deferredAuthenticator(load: () => new () => Authenticator): new () => Authenticator {
  return class implements Authenticator {
    #authenticator: Authenticator | undefined;

    #real(): Authenticator {
      return (this.#authenticator ??= new (load())());
    }

    isAuthProvider(user: User): boolean {
      return Boolean(user?.authProvider) && this.#real().isAuthProvider(user);
    }

    applyAuthentication(...args: Parameters<Authenticator['applyAuthentication']>): Promise<void> {
      return this.#real().applyAuthentication(...args);
    }
  };
}

export const AzureAuth = deferredAuthenticator(standIn('./azure_auth.js', 'AzureAuth'));
export const GoogleCloudPlatformAuth = deferredAuthenticator(standIn('./gcp_auth.js', 'GoogleCloudPlatformAuth'));
export const OpenIDConnectAuth = deferredAuthenticator(standIn('./oidc_auth.js', 'OpenIDConnectAuth'));
export const SocksProxyAgent = deferred(standIn('socks-proxy-agent', 'SocksProxyAgent'));
export const HttpProxyAgent = deferred(standIn('hpagent', 'HttpProxyAgent'));
export const HttpsProxyAgent = deferred(standIn('hpagent', 'HttpsProxyAgent'));
export const Headers = deferred(standIn('node-fetch', 'Headers'));
export const createConfiguration = deferred(standIn('./gen/index.js', 'createConfiguration', './gen/configuration.js'));
export const ServerConfiguration = deferred(standIn('./gen/index.js', 'ServerConfiguration', './gen/servers.js'));
