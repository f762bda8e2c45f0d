/**
 * cert-manager's external DNS-01 webhook contract: a `ChallengePayload` POSTed to
 * `/apis/<groupName>/v1alpha1/<solverName>` on the Kubernetes API server (which proxies it to the
 * webhook's aggregated APIService); the webhook answers with the same kind carrying `response`.
 */
import type { DNS01Webhook } from '../../api/types.js';
import { requestJson, type HttpJsonOptions } from './http-json.js';
import type { Dns01Provider, Dns01Request } from './provider.js';

export const CHALLENGE_PAYLOAD_API_VERSION = 'webhook.acme.cert-manager.io/v1alpha1';

export type ChallengeAction = 'Present' | 'CleanUp';

export interface ChallengePayload {
  apiVersion: typeof CHALLENGE_PAYLOAD_API_VERSION;
  kind: 'ChallengePayload';
  request?: Dns01Request & { action: ChallengeAction; type: 'dns-01'; config?: unknown };
  response?: { uid: string; success: boolean; status?: { message?: string; reason?: string; code?: number } };
}

/**
 * POSTs `payload` to `path` on the API server and returns the parsed reply (the controller wires
 * this to its Kubernetes client; tests to a double).
 */
export type WebhookTransport = (path: string, payload: ChallengePayload) => Promise<unknown>;

export function challengePayload(request: Dns01Request, action: ChallengeAction, webhook: DNS01Webhook): ChallengePayload {
  return {
    apiVersion: CHALLENGE_PAYLOAD_API_VERSION,
    kind: 'ChallengePayload',
    request: {
      uid: request.uid,
      action,
      type: 'dns-01',
      dnsName: request.dnsName,
      key: request.key,
      resourceNamespace: request.resourceNamespace,
      resolvedFQDN: request.resolvedFQDN,
      resolvedZone: request.resolvedZone,
      allowAmbientCredentials: request.allowAmbientCredentials,
      ...(webhook.config === undefined ? {} : { config: webhook.config }),
    },
  };
}

export function webhookPath(webhook: DNS01Webhook): string {
  if (!webhook.groupName) throw new Error('webhook: groupName is required');
  return `/apis/${encodeURIComponent(webhook.groupName)}/v1alpha1/${encodeURIComponent(webhook.solverName)}`;
}

export function createWebhookProvider(transport?: WebhookTransport): Dns01Provider {
  const call = async (request: Dns01Request, action: ChallengeAction, webhook: DNS01Webhook | undefined): Promise<void> => {
    if (!webhook) throw new Error('webhook: solver has no webhook configuration');
    if (!transport) throw new Error('webhook: no API server connection to reach the webhook solver');
    const path = webhookPath(webhook);
    const reply = (await transport(path, challengePayload(request, action, webhook))) as ChallengePayload | undefined;
    const response = reply?.response;
    if (!response) throw new Error(`webhook ${webhook.groupName}/${webhook.solverName}: ${action} reply has no response`);
    if (!response.success) {
      throw new Error(`webhook ${webhook.groupName}/${webhook.solverName}: ${action} failed: ${response.status?.message ?? 'no message'}`);
    }
  };
  return {
    name: 'webhook',
    present: (request, config) => call(request, 'Present', config.webhook),
    cleanUp: (request, config) => call(request, 'CleanUp', config.webhook),
  };
}

/** A transport that POSTs to an API server at `baseUrl` directly (credentials in `headers`). */
export function httpWebhookTransport(baseUrl: string, options: HttpJsonOptions & { headers?: Record<string, string> } = {}): WebhookTransport {
  return async (path, payload) => {
    const { status, body } = await requestJson(`${baseUrl.replace(/\/$/, '')}${path}`, { method: 'POST', headers: options.headers, body: payload }, options);
    if (status < 200 || status >= 300) {
      const message = (body as { message?: string } | undefined)?.message;
      throw new Error(`webhook: POST ${path} failed with HTTP ${status}${message ? ` (${message})` : ''}`);
    }
    return body;
  };
}
