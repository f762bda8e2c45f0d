/**
 * gateway-shim (reference §4): a Gateway with `cert-manager.io/issuer` or `cluster-issuer` gets one
 * Certificate per Secret its HTTPS/TLS listeners terminate TLS with; listeners sharing a Secret
 * share its Certificate, which covers all their hostnames. Runs with `--enable-gateway-api`.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import { formatFieldErrors, invalid, notSupported, required, type FieldError } from '../../api/field-errors.js';
import {
  CLUSTER_ISSUER_ANNOTATION,
  HTTP01_PARENT_REF_KIND_ANNOTATION,
  HTTP01_PARENT_REF_NAME_ANNOTATION,
  IGNORE_TLS_LISTENERS_ANNOTATION,
  ISSUER_ANNOTATION,
} from '../../api/well-known.js';
import { isNotFound } from '../runtime/api-error.js';
import type { KubeClient } from '../runtime/client.js';
import type { ResourceType } from '../runtime/resources.js';
import type { TlsTarget } from '../shim/certificates.js';
import type { ShimSource } from '../shim/controller.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const GATEWAYS: ResourceType = { group: GATEWAY_API_GROUP, version: 'v1', resource: 'gateways', kind: 'Gateway', namespaced: true };

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface GatewayListener {
  name: string;
  hostname?: string;
  port?: number;
  protocol: string;
  tls?: { mode?: string; certificateRefs?: SecretObjectReference[] };
}

export interface Gateway extends KubeObject {
  spec?: { gatewayClassName?: string; listeners?: GatewayListener[] };
}

export const GATEWAY_SHIM_CONTROLLER_NAME = 'gateway-shim';
export const GATEWAY_SHIM_FIELD_MANAGER = 'certwright-gateway-shim';
/** Listener protocols that terminate TLS; `--gateway-api-extra-protocols` adds to them. */
export const TLS_LISTENER_PROTOCOLS: readonly string[] = ['HTTPS', 'TLS'];

/** cert-manager's `validateGatewayListenerBlock`: what a listener needs before it gets a Certificate. */
export function listenerProblems(listener: GatewayListener, index: number, namespace: string | undefined): FieldError[] {
  const path = `spec.listeners[${index}]`;
  const errors: FieldError[] = [];
  if (!listener.hostname) errors.push(required(`${path}.hostname`, 'the hostname cannot be empty'));
  const tls = listener.tls;
  if (!tls) return [...errors, required(`${path}.tls`, 'the TLS block cannot be empty')];
  const refs = tls.certificateRefs ?? [];
  if (refs.length === 0) errors.push(required(`${path}.tls.certificateRef`, 'listener has no certificateRefs'));
  refs.forEach((ref, i) => {
    const refPath = `${path}.tls.certificateRef[${i}]`;
    if (ref.group !== undefined && ref.group !== 'core' && ref.group !== '') errors.push(notSupported(`${refPath}.group`, ref.group, ['core', '']));
    if (ref.kind !== undefined && ref.kind !== 'Secret' && ref.kind !== '') errors.push(notSupported(`${refPath}.kind`, ref.kind, ['Secret', '']));
    if (ref.namespace !== undefined && ref.namespace !== namespace) {
      errors.push(invalid(`${refPath}.namespace`, ref.namespace, 'cross-namespace secret references are not allowed in listeners'));
    }
  });
  if (tls.mode === undefined) errors.push(required(`${path}.tls.mode`, 'the mode field is required'));
  else if (tls.mode !== 'Terminate') errors.push(notSupported(`${path}.tls.mode`, tls.mode, ['Terminate']));
  return errors;
}

/**
 * The Secrets of the Gateway's TLS-terminating listeners with the hostnames of every listener
 * naming them; listeners of other protocols, Passthrough ones and those in
 * `cert-manager.io/ignore-tls-listeners` are passed over, invalid ones skipped with a message.
 */
export function gatewayTlsTargets(gateway: Gateway, protocols: readonly string[] = TLS_LISTENER_PROTOCOLS): { targets: TlsTarget[]; skipped: string[] } {
  const ignored = new Set((gateway.metadata.annotations?.[IGNORE_TLS_LISTENERS_ANNOTATION] ?? '').split(',').map((name) => name.trim()).filter(Boolean));
  const hostsBySecret = new Map<string, string[]>();
  const skipped: string[] = [];
  (gateway.spec?.listeners ?? []).forEach((listener, i) => {
    if (!protocols.includes(listener.protocol) || listener.tls?.mode === 'Passthrough' || ignored.has(listener.name)) return;
    const problems = listenerProblems(listener, i, gateway.metadata.namespace);
    if (problems.length > 0) {
      skipped.push(`Skipped a listener block: ${formatFieldErrors(problems)}`);
      return;
    }
    for (const ref of listener.tls!.certificateRefs!) {
      const hosts = hostsBySecret.get(ref.name) ?? [];
      if (!hosts.includes(listener.hostname!)) hosts.push(listener.hostname!);
      hostsBySecret.set(ref.name, hosts);
    }
  });
  return { targets: [...hostsBySecret].map(([secretName, hosts]) => ({ secretName, hosts })), skipped };
}

export function gatewayShimSource(extraProtocols: readonly string[] = []): ShimSource<Gateway> {
  const protocols = [...TLS_LISTENER_PROTOCOLS, ...extraProtocols];
  return {
    controllerName: GATEWAY_SHIM_CONTROLLER_NAME,
    fieldManager: GATEWAY_SHIM_FIELD_MANAGER,
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: 'Gateway',
    wantsCertificates: (gateway) => {
      const annotations = gateway.metadata.annotations ?? {};
      return annotations[ISSUER_ANNOTATION] !== undefined || annotations[CLUSTER_ISSUER_ANNOTATION] !== undefined;
    },
    tlsTargets: (gateway) => gatewayTlsTargets(gateway, protocols),
    // An ACME HTTP-01 solver answers through an HTTPRoute attached to this Gateway.
    certificateAnnotations: (gateway) => ({ [HTTP01_PARENT_REF_NAME_ANNOTATION]: gateway.metadata.name!, [HTTP01_PARENT_REF_KIND_ANNOTATION]: 'Gateway' }),
  };
}

/** Fails clearly when `--enable-gateway-api` is set on a cluster without the Gateway API CRDs. */
export async function checkGatewayApiServed(client: KubeClient): Promise<void> {
  try {
    await client.list(GATEWAYS, { fieldSelector: 'metadata.name=certwright-gateway-api-probe' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    throw new Error(`--enable-gateway-api is set but the API server does not serve ${GATEWAY_API_GROUP}/v1 gateways: install the Gateway API CRDs first`);
  }
}
