/**
 * The Order a CertificateRequest turns into (reference §2.10 ACME row, §2.11): its spec from the
 * CSR, its deterministic name (so one CertificateRequest — one Certificate revision — never has two
 * Orders), and the ACME identifiers it asks for.
 */
import { isIP } from 'node:net';
import type { CertificateRequest, Order, OrderSpec } from '../../api/types.js';
import { byOwnerUid, type IndexFunc } from '../../controller/runtime/store.js';
import { ariCertId, parseCertificateChain, type CsrInfo } from '../../pki/index.js';
import type { GenericIssuer } from '../backend.js';
import type { AcmeIdentifier } from './client.js';

export const ORDER_API_VERSION = 'acme.cert-manager.io/v1';
/** Orders (and Challenges) by the uid of their owners. */
export const ORDERS_BY_OWNER_UID = 'owner-uid';
export const ownerIndexers: Record<string, IndexFunc<Order>> = { [ORDERS_BY_OWNER_UID]: byOwnerUid };
/** Valid Orders by the ARI CertID of the certificate they hold: where a certificate came from. */
export const ORDERS_BY_CERT_ID = 'acme-cert-id';

/** The ARI CertID of an Order's leaf certificate, or undefined when it has none (or no AKI). */
export function orderCertId(order: Order): string | undefined {
  if (!order.status?.certificate) return undefined;
  try {
    return ariCertId(parseCertificateChain(Buffer.from(order.status.certificate, 'base64').toString('utf8'))[0]!);
  } catch {
    return undefined;
  }
}

export const orderIndexers: Record<string, IndexFunc<Order>> = {
  ...ownerIndexers,
  [ORDERS_BY_CERT_ID]: (order) => {
    const id = orderCertId(order);
    return id ? [id] : [];
  },
};

/** Longest name prefix ComputeName keeps, so derived names stay under 64 characters. */
const NAME_PREFIX_MAX = 52;

/** Go's hash/fnv New32 (FNV-1, not 1a) over `bytes`. */
export function fnv1_32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  }
  return hash;
}

/** cert-manager's ComputeName: `<prefix≤52>-<fnv32 of the JSON of obj>`. */
export function computeName(prefix: string, obj: unknown): string {
  return `${prefix.slice(0, NAME_PREFIX_MAX)}-${fnv1_32(Buffer.from(JSON.stringify(obj), 'utf8'))}`;
}

/** Why a CertificateRequest cannot become an Order (the request fails, it is not retried). */
export class InvalidOrderError extends Error {
  override readonly name = 'InvalidOrderError';
}

export interface OrderOptions {
  /** The ARI CertID of the certificate being replaced, when ARI applies. */
  replaces?: string;
}

/** The Order spec for `request` (whose CSR is `csr`) at `issuer`. Throws InvalidOrderError for a CN that is not among the SANs. */
export function orderSpecFor(request: CertificateRequest, csr: CsrInfo, issuer: GenericIssuer, options: OrderOptions = {}): OrderSpec {
  const { commonName, dnsNames, ipAddresses } = csr;
  if (commonName && !dnsNames.includes(commonName) && !ipAddresses.includes(commonName)) {
    throw new InvalidOrderError(`The CSR's common name ${JSON.stringify(commonName)} must also be one of its DNS names or IP addresses`);
  }
  const acme = issuer.spec.acme;
  return {
    request: request.spec.request,
    issuerRef: request.spec.issuerRef,
    ...(commonName ? { commonName } : {}),
    ...(dnsNames.length > 0 ? { dnsNames } : {}),
    ...(ipAddresses.length > 0 ? { ipAddresses } : {}),
    ...(acme?.enableDurationFeature && request.spec.duration ? { duration: request.spec.duration } : {}),
    ...(acme?.profile ? { profile: acme.profile } : {}),
    ...(options.replaces ? { replaces: options.replaces } : {}),
  };
}

/** The Order's name: the CertificateRequest's name and a hash of everything but the CSR. */
export function orderNameFor(requestName: string, spec: OrderSpec): string {
  const { request: _csr, ...rest } = spec;
  return computeName(requestName, rest);
}

/** The complete Order object: labels and annotations of the request, controlled by it. */
export function buildOrder(request: CertificateRequest, spec: OrderSpec, extraAnnotations: Record<string, string> = {}): Order {
  const { name, namespace, uid, labels, annotations } = request.metadata;
  if (!name || !uid) throw new Error('an Order needs its CertificateRequest to have metadata.name and metadata.uid');
  return {
    apiVersion: ORDER_API_VERSION,
    kind: 'Order',
    metadata: {
      name: orderNameFor(name, spec),
      ...(namespace ? { namespace } : {}),
      ...(labels ? { labels } : {}),
      annotations: { ...annotations, ...extraAnnotations },
      ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

/** The identifiers of newOrder: DNS names (and a DNS-name CN) as `dns`, IPs (and an IP CN) as `ip`, each once. */
export function orderIdentifiers(spec: Pick<OrderSpec, 'commonName' | 'dnsNames' | 'ipAddresses'>): AcmeIdentifier[] {
  const dns = new Set(spec.dnsNames ?? []);
  const ips = new Set(spec.ipAddresses ?? []);
  if (spec.commonName) (isIP(spec.commonName) ? ips : dns).add(spec.commonName);
  return [...[...dns].map((value) => ({ type: 'dns' as const, value })), ...[...ips].map((value) => ({ type: 'ip' as const, value }))];
}
