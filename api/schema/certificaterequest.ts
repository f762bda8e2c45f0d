/** cert-manager.io/v1 CertificateRequest (`pkg/apis/certmanager/v1/types_certificaterequest.go`). */
import { Type } from '@sinclair/typebox';
import { AtomicList, Bytes, ConditionList, GoDuration, IssuerReference, KubeObject, StringList, Timestamp } from './common.js';
import { KeyUsage } from './certificate.js';

export const CertificateRequestSpec = Type.Object(
  {
    duration: Type.Optional(GoDuration({ description: 'Requested lifetime of the signed certificate.' })),
    issuerRef: IssuerReference,
    request: Bytes({ description: 'PEM-encoded PKCS#10 certificate signing request (base64 in JSON).' }),
    isCA: Type.Optional(Type.Boolean()),
    usages: Type.Optional(AtomicList(KeyUsage)),
    username: Type.Optional(Type.String({ description: 'Set by admission from the requesting user; immutable.' })),
    uid: Type.Optional(Type.String()),
    groups: Type.Optional(StringList()),
    extra: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  },
  { 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'cannot change spec after creation' }] },
);

export const CertificateRequestStatus = Type.Object({
  conditions: Type.Optional(ConditionList()),
  certificate: Type.Optional(Bytes({ description: 'PEM-encoded signed certificate chain.' })),
  ca: Type.Optional(Bytes({ description: 'PEM-encoded CA certificate of the signer, best effort.' })),
  failureTime: Type.Optional(Timestamp()),
});

export const CertificateRequest = KubeObject(
  'cert-manager.io/v1',
  'CertificateRequest',
  CertificateRequestSpec,
  CertificateRequestStatus,
  { description: 'A CertificateRequest asks an issuer to sign one X.509 certificate signing request.' },
);
