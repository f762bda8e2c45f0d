/**
 * ServiceAccount tokens through the TokenRequest API (`POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`),
 * as cert-manager requests them for Vault's Kubernetes auth and Route53's AssumeRoleWithWebIdentity:
 * the caller's audiences and the shortest lifetime Kubernetes allows, since the token is used once.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import type { ResourceType } from '../../controller/runtime/resources.js';

/** Mints a ServiceAccount token (the TokenRequest API): Vault's Kubernetes auth, Route53's `auth.kubernetes`. */
export type ServiceAccountTokenSource = (request: { namespace: string; name: string; audiences: string[]; expirationSeconds: number }) => Promise<string>;

/** The shortest TokenRequest lifetime Kubernetes allows; the JWT is used once, at login. */
export const SERVICE_ACCOUNT_TOKEN_SECONDS = 600;

interface TokenRequest extends KubeObject {
  spec: { audiences: string[]; expirationSeconds: number };
  status?: { token?: string; expirationTimestamp?: string };
}

/** The `token` subresource of one ServiceAccount, addressed as a collection so `create` POSTs to it. */
function tokenSubresource(serviceAccount: string): ResourceType {
  return { group: '', version: 'v1', resource: `serviceaccounts/${encodeURIComponent(serviceAccount)}/token`, kind: 'TokenRequest', namespaced: true };
}

export function kubeServiceAccountTokens(client: KubeClient): ServiceAccountTokenSource {
  return async ({ namespace, name, audiences, expirationSeconds }) => {
    const created = await client.create<TokenRequest>(tokenSubresource(name), {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { namespace, name },
      spec: { audiences, expirationSeconds },
    });
    const token = created.status?.token;
    if (!token) throw new Error(`the TokenRequest for serviceaccount "${namespace}/${name}" returned no token`);
    return token;
  };
}
