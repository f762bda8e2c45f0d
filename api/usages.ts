/**
 * How cert-manager's usage names map onto X.509 (`pkg/api/util/usages.go`): each name is either a
 * KeyUsage bit (RFC 5280 4.2.1.3) or an ExtendedKeyUsage OID (RFC 5280 4.2.1.12).
 */
import type { KeyUsage } from './types.js';

/** RFC 5280 KeyUsage names with their bit number in the BIT STRING (0 = digitalSignature). */
export const X509_KEY_USAGE_BITS = {
  digitalSignature: 0,
  contentCommitment: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type X509KeyUsage = keyof typeof X509_KEY_USAGE_BITS;

/** RFC 5280 (and vendor) ExtendedKeyUsage names with their OIDs. */
export const X509_EXT_KEY_USAGE_OIDS = {
  any: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ipsecEndSystem: '1.3.6.1.5.5.7.3.5',
  ipsecTunnel: '1.3.6.1.5.5.7.3.6',
  ipsecUser: '1.3.6.1.5.5.7.3.7',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  microsoftServerGatedCrypto: '1.3.6.1.4.1.311.10.3.3',
  netscapeServerGatedCrypto: '2.16.840.1.113730.4.1',
} as const;
export type X509ExtKeyUsage = keyof typeof X509_EXT_KEY_USAGE_OIDS;

export const KEY_USAGE_TO_X509: Readonly<Partial<Record<KeyUsage, X509KeyUsage>>> = {
  signing: 'digitalSignature',
  'digital signature': 'digitalSignature',
  'content commitment': 'contentCommitment',
  'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement',
  'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly',
  'decipher only': 'decipherOnly',
};

export const EXT_KEY_USAGE_TO_X509: Readonly<Partial<Record<KeyUsage, X509ExtKeyUsage>>> = {
  any: 'any',
  'server auth': 'serverAuth',
  'client auth': 'clientAuth',
  'code signing': 'codeSigning',
  'email protection': 'emailProtection',
  's/mime': 'emailProtection',
  'ipsec end system': 'ipsecEndSystem',
  'ipsec tunnel': 'ipsecTunnel',
  'ipsec user': 'ipsecUser',
  timestamping: 'timeStamping',
  'ocsp signing': 'ocspSigning',
  'microsoft sgc': 'microsoftServerGatedCrypto',
  'netscape sgc': 'netscapeServerGatedCrypto',
};

/** The canonical cert-manager name of each X.509 usage (aliases `signing`, `s/mime` fold away). */
export const X509_TO_KEY_USAGE: Readonly<Record<X509KeyUsage | X509ExtKeyUsage, KeyUsage>> = {
  digitalSignature: 'digital signature',
  contentCommitment: 'content commitment',
  keyEncipherment: 'key encipherment',
  dataEncipherment: 'data encipherment',
  keyAgreement: 'key agreement',
  keyCertSign: 'cert sign',
  cRLSign: 'crl sign',
  encipherOnly: 'encipher only',
  decipherOnly: 'decipher only',
  any: 'any',
  serverAuth: 'server auth',
  clientAuth: 'client auth',
  codeSigning: 'code signing',
  emailProtection: 'email protection',
  ipsecEndSystem: 'ipsec end system',
  ipsecTunnel: 'ipsec tunnel',
  ipsecUser: 'ipsec user',
  timeStamping: 'timestamping',
  ocspSigning: 'ocsp signing',
  microsoftServerGatedCrypto: 'microsoft sgc',
  netscapeServerGatedCrypto: 'netscape sgc',
};

export function isKnownUsage(name: string): name is KeyUsage {
  return name in KEY_USAGE_TO_X509 || name in EXT_KEY_USAGE_TO_X509;
}
