/** acme.cert-manager.io/v1 Challenge (`pkg/apis/acme/v1/types_challenge.go`). */
import { Type } from '@sinclair/typebox';
import { IssuerReference, KubeObject, StringEnum, Timestamp } from './common.js';
import { ACMEChallengeSolver } from './acme.js';
import { ACMEState } from './order.js';

export const ChallengeSpec = Type.Object(
  {
    url: Type.String({ description: 'ACME challenge URL.' }),
    authorizationURL: Type.String(),
    dnsName: Type.String({ description: 'Identifier being validated, without any `*.` prefix.' }),
    wildcard: Type.Optional(Type.Boolean()),
    type: StringEnum(['HTTP-01', 'DNS-01']),
    token: Type.String(),
    key: Type.String({ description: 'HTTP-01: the key authorization; DNS-01: base64url(SHA-256(key authorization)).' }),
    solver: ACMEChallengeSolver,
    issuerRef: IssuerReference,
  },
  { 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'challenge spec is immutable after creation' }] },
);

export const ChallengeStatus = Type.Object({
  processing: Type.Optional(Type.Boolean()),
  presented: Type.Optional(Type.Boolean()),
  presentedAt: Type.Optional(Timestamp()),
  reason: Type.Optional(Type.String()),
  state: Type.Optional(ACMEState),
});

export const Challenge = KubeObject('acme.cert-manager.io/v1', 'Challenge', ChallengeSpec, ChallengeStatus, {
  description: 'A Challenge proves control of one identifier of an ACME Order.',
});
