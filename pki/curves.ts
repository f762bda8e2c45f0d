import type { KeyObject } from 'node:crypto';
import { KeyMemo } from './key-memo.js';

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

const curveByNodeName = new Map(NAMED_CURVES.map((c) => [c.nodeName, c]));

/** Curves by key (`asymmetricKeyDetails` asks OpenSSL each time, ~40 µs); undefined for other curves and key types. */
const curves = new KeyMemo<NamedCurve | undefined>((key) =>
  key.asymmetricKeyType === 'ec' ? curveByNodeName.get(key.asymmetricKeyDetails?.namedCurve ?? '') : undefined,
);

/** The NIST curve of an EC key (private or public); undefined for other curves and other key types. */
export function curveOfKey(key: KeyObject): NamedCurve | undefined {
  return curves.get(key);
}

/** The NIST curve named `curve`. */
export function namedCurve(curve: EcCurve): NamedCurve {
  return NAMED_CURVES.find((c) => c.curve === curve)!;
}

/** Records the curve an EC key was generated on (so curveOfKey need not ask OpenSSL). */
export function rememberNamedCurve(key: KeyObject, curve: EcCurve): void {
  curves.remember(key, namedCurve(curve));
}
