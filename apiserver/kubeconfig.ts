import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

export const kubeconfigContext = 'certwright';

/** A kubeconfig for kubectl and client-node: the server URL, the CA to trust, the bearer token. */
export function kubeconfigText(server: string, caCertificatePem: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: kubeconfigContext, cluster: { server, 'certificate-authority-data': Buffer.from(caCertificatePem).toString('base64') } }],
    users: [{ name: 'certwright-admin', user: { token } }],
    contexts: [{ name: kubeconfigContext, context: { cluster: kubeconfigContext, user: 'certwright-admin', namespace: 'default' } }],
    'current-context': kubeconfigContext,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, server: string, caCertificatePem: string, token: string): Promise<void> {
  await writeFile(path, kubeconfigText(server, caCertificatePem, token), { mode: 0o600 });
}
