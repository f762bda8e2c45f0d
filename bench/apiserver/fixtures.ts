/** Objects the API server benchmarks write, shaped as cert-manager writes them. */
import type { KubeObject } from '../../apiserver/admission.js';

/** A kubernetes.io/tls Secret for Certificate `certificate`, with the annotations cert-manager puts on it. */
export function tlsSecret(namespace: string, name: string, certificate: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace,
      labels: { 'controller.cert-manager.io/fao': 'true' },
      annotations: {
        'cert-manager.io/alt-names': `${certificate}.example.com`,
        'cert-manager.io/certificate-name': certificate,
        'cert-manager.io/common-name': `${certificate}.example.com`,
        'cert-manager.io/issuer-kind': 'ClusterIssuer',
        'cert-manager.io/issuer-name': 'ca-issuer',
        'cert-manager.io/issuer-group': 'cert-manager.io',
      },
    },
    data,
  };
}
