/**
 * How DNS-01 providers read credentials: only from the request's `resourceNamespace` (the Issuer's
 * own namespace, or the cluster resource namespace for ClusterIssuers), never from anywhere else.
 */
import type { SecretKeySelector } from '../../api/types.js';
import { secretValue } from '../../issuers/backend.js';
import type { Dns01Context } from './provider.js';

/** A context that refuses any Secret outside `namespace`, so no provider can read across namespaces. */
export function namespaceScopedContext(ctx: Dns01Context, namespace: string): Dns01Context {
  return {
    ...ctx,
    getSecret(secretNamespace, name) {
      if (secretNamespace !== namespace) {
        return Promise.reject(new Error(`refusing to read Secret ${secretNamespace}/${name}: DNS-01 credentials come only from namespace ${namespace}`));
      }
      return ctx.getSecret(secretNamespace, name);
    },
  };
}

/**
 * The value under `ref.key` (or `defaultKey`) of the referenced Secret in `namespace`, trimmed:
 * credentials with surrounding whitespace are a copy-paste accident, never intended.
 */
export async function readSecretKey(
  ctx: Dns01Context,
  namespace: string,
  ref: SecretKeySelector,
  what: string,
  defaultKey?: string,
): Promise<string> {
  const key = ref.key || defaultKey;
  if (!key) throw new Error(`${what}: secretRef ${ref.name} needs a key`);
  const secret = await ctx.getSecret(namespace, ref.name);
  if (!secret) throw new Error(`${what}: Secret ${namespace}/${ref.name} not found`);
  const value = secretValue(secret, key);
  if (!value) throw new Error(`${what}: key "${key}" missing or empty in Secret ${namespace}/${ref.name}`);
  return value.toString('utf8').trim();
}
