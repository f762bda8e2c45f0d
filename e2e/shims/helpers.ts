/** What the shim and cainjector e2e tests share: CA material, Events of an object, fixtures. */
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../apiserver/admission.js';
import type { KubeSecret } from '../../issuers/backend.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import { EVENTS } from '../../controller/runtime/resources.js';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, selfSignCertificate } from '../../pki/index.js';

export const DAY_MS = 86_400_000;
export const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The Gateway and HTTPRoute CRDs the tests install (the file is not compiled, so it is read from the source tree). */
export const GATEWAY_API_CRDS = fileURLToPath(new URL('../../../e2e/fixtures/gateway-api/standard-subset.yaml', import.meta.url));

export interface CaMaterial {
  certificatePem: string;
  keyPem: string;
}

/** A self-signed ECDSA CA valid from `notBefore` for `durationMs`. */
export async function selfSignedCa(commonName: string, { notBefore = new Date(Date.now() - DAY_MS), durationMs = 3650 * DAY_MS } = {}): Promise<CaMaterial> {
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const usages = ['cert sign', 'crl sign'];
  const csr = await generateCsr({ commonName, isCA: true, usages }, key);
  const signed = await selfSignCertificate(csr, { isCA: true, usages, now: notBefore, durationMs }, key);
  return { certificatePem: signed.certificatePem, keyPem: encodePrivateKeyPem(key, 'PKCS8') };
}

export function tlsSecret(namespace: string, name: string, ca: CaMaterial, extra: { annotations?: Record<string, string>; caCrt?: string } = {}): KubeSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(ca.certificatePem), 'tls.key': b64(ca.keyPem), ...(extra.caCrt ? { 'ca.crt': b64(extra.caCrt) } : {}) },
  };
}

export interface SeenEvent {
  type: string;
  reason: string;
  message: string;
}

/** The Events recorded about `obj`. */
export async function eventsOf(client: KubeClient, obj: KubeObject): Promise<SeenEvent[]> {
  const list = await client.list<KubeObject & SeenEvent>(EVENTS, { namespace: obj.metadata.namespace ?? 'default', fieldSelector: `involvedObject.name=${obj.metadata.name}` });
  return list.items.filter((e) => (e.involvedObject as { kind?: string }).kind === obj.kind).map(({ type, reason, message }) => ({ type, reason, message }));
}
