/**
 * ServiceAccount tokens for Vault's Kubernetes auth through the TokenRequest API
 * (`POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`), as cert-manager requests them: the
 * issuer's audiences and the shortest lifetime Kubernetes allows, since the token is used once.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import type { ResourceType } from '../../controller/runtime/resources.js';
import type { ServiceAccountTokenSource } from './client.js';

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
