/**
 * Where the CA injected into a target comes from (reference §6.3), read off the target's
 * annotations in cert-manager's order: a Secret, a Certificate's Secret, or the API server's CA.
 */
import { ALLOW_DIRECT_INJECTION_ANNOTATION, CERTIFICATE_NAME_ANNOTATION, INJECT_APISERVER_CA_ANNOTATION, INJECT_CA_FROM_ANNOTATION, INJECT_CA_FROM_SECRET_ANNOTATION, TLS_CA_KEY } from '../../api/well-known.js';
import type { KubeSecret } from '../../issuers/backend.js';

export type CaSource =
  | { from: 'secret'; namespace: string; name: string }
  | { from: 'certificate'; namespace: string; name: string }
  | { from: 'apiserver' };

/** The annotations that make an object a CA injection target. */
export const INJECTION_ANNOTATIONS: readonly string[] = [INJECT_CA_FROM_SECRET_ANNOTATION, INJECT_CA_FROM_ANNOTATION, INJECT_APISERVER_CA_ANNOTATION];

export function hasInjectionAnnotation(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations !== undefined && INJECTION_ANNOTATIONS.some((key) => annotations[key] !== undefined);
}

/** `namespace/name`; anything else (no namespace, extra slashes, empty parts) is ignored, as in cert-manager. */
function namespacedName(value: string | undefined): { namespace: string; name: string } | undefined {
  const parts = value?.split('/');
  if (parts?.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** The first usable source among the target's annotations, or undefined when it has none. */
export function caSourceOf(annotations: Readonly<Record<string, string>> | undefined): CaSource | undefined {
  const secret = namespacedName(annotations?.[INJECT_CA_FROM_SECRET_ANNOTATION]);
  if (secret) return { from: 'secret', ...secret };
  const certificate = namespacedName(annotations?.[INJECT_CA_FROM_ANNOTATION]);
  if (certificate) return { from: 'certificate', ...certificate };
  if (annotations?.[INJECT_APISERVER_CA_ANNOTATION] === 'true') return { from: 'apiserver' };
  return undefined;
}

export type SecretCa = { ok: true; pem: string } | { ok: false; reason: string };

/**
 * The `ca.crt` of a source Secret: a Secret named directly must opt in with
 * `cert-manager.io/allow-direct-injection: "true"`; one reached through a Certificate must be that
 * Certificate's (its `cert-manager.io/certificate-name` names it).
 */
export function secretCa(secret: KubeSecret | undefined, source: Exclude<CaSource, { from: 'apiserver' }>, certificateName?: string): SecretCa {
  if (!secret) return { ok: false, reason: 'the Secret does not exist' };
  const annotations = secret.metadata.annotations ?? {};
  if (source.from === 'secret' && annotations[ALLOW_DIRECT_INJECTION_ANNOTATION] !== 'true') {
    return { ok: false, reason: `the Secret lacks ${ALLOW_DIRECT_INJECTION_ANNOTATION}: "true"` };
  }
  if (source.from === 'certificate' && annotations[CERTIFICATE_NAME_ANNOTATION] !== certificateName) {
    return { ok: false, reason: `the Secret's ${CERTIFICATE_NAME_ANNOTATION} is not ${JSON.stringify(certificateName)}` };
  }
  const data = secret.data?.[TLS_CA_KEY];
  if (!data) return { ok: false, reason: `the Secret has no ${TLS_CA_KEY}` };
  return { ok: true, pem: Buffer.from(data, 'base64').toString('utf8') };
}
