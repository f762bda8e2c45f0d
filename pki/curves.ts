/** The NIST curves cert-manager issues for, by every name pki/ meets them under. */
export type EcCurve = 'P-256' | 'P-384' | 'P-521';

export interface NamedCurve {
  curve: EcCurve;
  /** OpenSSL's name, as KeyObject.asymmetricKeyDetails reports it. */
  nodeName: string;
  oid: string;
  size: number;
  /** Octets of one point coordinate. */
  coordinateLength: number;
}
export const NAMED_CURVES: readonly NamedCurve[] = [
  { curve: 'P-256', nodeName: 'prime256v1', oid: '1.2.840.10045.3.1.7', size: 256, coordinateLength: 32 },
  { curve: 'P-384', nodeName: 'secp384r1', oid: '1.3.132.0.34', size: 384, coordinateLength: 48 },
  { curve: 'P-521', nodeName: 'secp521r1', oid: '1.3.132.0.35', size: 521, coordinateLength: 66 },
];
