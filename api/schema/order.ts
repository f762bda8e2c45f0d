/** acme.cert-manager.io/v1 Order (`pkg/apis/acme/v1/types_order.go`). */
import { Type } from '@sinclair/typebox';
import { AtomicList, Bytes, GoDuration, IssuerReference, KubeObject, StringEnum, StringList, Timestamp } from './common.js';

export const ACME_STATES = ['valid', 'ready', 'pending', 'processing', 'invalid', 'expired', 'errored'] as const;

/** RFC 8555 order/authorization/challenge states, plus cert-manager's own `errored`. */
export const ACMEState = StringEnum(ACME_STATES);

export const OrderSpec = Type.Object({
  request: Bytes({ description: 'PEM-encoded CSR (base64 in JSON); immutable once set.' }),
  issuerRef: IssuerReference,
  commonName: Type.Optional(Type.String()),
  dnsNames: Type.Optional(StringList()),
  ipAddresses: Type.Optional(StringList()),
  duration: Type.Optional(GoDuration({ description: 'Requested lifetime, sent only with enableDurationFeature.' })),
  profile: Type.Optional(Type.String({ description: 'ACME profile requested on newOrder.' })),
  replaces: Type.Optional(Type.String({ description: 'ARI CertID of the certificate this order replaces.' })),
});

export const ACMEChallenge = Type.Object({
  url: Type.String(),
  token: Type.String(),
  type: Type.String({ description: 'Challenge type as the ACME server names it, e.g. http-01, dns-01.' }),
});

export const ACMEAuthorization = Type.Object({
  url: Type.String(),
  identifier: Type.Optional(Type.String()),
  wildcard: Type.Optional(Type.Boolean()),
  initialState: Type.Optional(ACMEState),
  challenges: Type.Optional(AtomicList(ACMEChallenge)),
});

export const OrderStatus = Type.Object({
  url: Type.Optional(Type.String()),
  finalizeURL: Type.Optional(Type.String()),
  authorizations: Type.Optional(AtomicList(ACMEAuthorization)),
  certificate: Type.Optional(Bytes({ description: 'PEM-encoded certificate chain.' })),
  state: Type.Optional(ACMEState),
  reason: Type.Optional(Type.String()),
  failureTime: Type.Optional(Timestamp()),
});

export const Order = KubeObject('acme.cert-manager.io/v1', 'Order', OrderSpec, OrderStatus, {
  description: 'An Order is one ACME order for the identifiers of a CertificateRequest.',
});
