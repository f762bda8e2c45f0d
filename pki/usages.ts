import { KeyUsageFlags } from '@peculiar/asn1-x509';
import { PkiError } from './errors.js';
import { DerReader, TAG } from './der-reader.js';
import { derBitString, derOid, derSequence } from './der-writer.js';

/** cert-manager's key usage names → X.509 KeyUsage bits (`signing` is an alias of digital signature). */
const keyUsageFlagByName: Record<string, number> = {
  signing: KeyUsageFlags.digitalSignature,
  'digital signature': KeyUsageFlags.digitalSignature,
  'content commitment': KeyUsageFlags.nonRepudiation,
  'key encipherment': KeyUsageFlags.keyEncipherment,
  'key agreement': KeyUsageFlags.keyAgreement,
  'data encipherment': KeyUsageFlags.dataEncipherment,
  'cert sign': KeyUsageFlags.keyCertSign,
  'crl sign': KeyUsageFlags.cRLSign,
  'encipher only': KeyUsageFlags.encipherOnly,
  'decipher only': KeyUsageFlags.decipherOnly,
};

/** cert-manager's extended key usage names → OIDs (`s/mime` is an alias of email protection). */
const extKeyUsageOidByName: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': '1.3.6.1.5.5.7.3.1',
  'client auth': '1.3.6.1.5.5.7.3.2',
  'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4',
  's/mime': '1.3.6.1.5.5.7.3.4',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

/** The canonical name of each bit / OID, for reading usages back out of a certificate. */
const keyUsageNameByFlag = new Map<number, string>(
  Object.entries(keyUsageFlagByName).filter(([name]) => name !== 'signing').map(([name, flag]) => [flag, name]),
);
const extKeyUsageNameByOid = new Map<string, string>(
  Object.entries(extKeyUsageOidByName).filter(([name]) => name !== 's/mime').map(([name, oid]) => [oid, name]),
);

export const KEY_USAGE_OID = '2.5.29.15';
export const EXT_KEY_USAGE_OID = '2.5.29.37';
export const DEFAULT_USAGES: readonly string[] = ['digital signature', 'key encipherment'];

export function isKnownUsage(name: string): boolean {
  return name in keyUsageFlagByName || name in extKeyUsageOidByName;
}

/** A KeyUsage bit set plus ExtendedKeyUsage OIDs. */
export interface Usages {
  keyUsage: number;
  extKeyUsages: string[];
}

/**
 * cert-manager's KeyUsagesForCertificateOrCertificateRequest: `cert sign` when isCA, the default
 * usages when none are given, every name mapped to a KU bit or an EKU OID (unknown names fail).
 */
export function computeUsages(usages: readonly string[] | undefined, isCA: boolean | undefined): Usages {
  let keyUsage = isCA ? KeyUsageFlags.keyCertSign : 0;
  const extKeyUsages: string[] = [];
  for (const name of usages?.length ? usages : DEFAULT_USAGES) {
    const flag = keyUsageFlagByName[name];
    const oid = extKeyUsageOidByName[name];
    if (flag !== undefined) keyUsage |= flag;
    else if (oid !== undefined) {
      if (!extKeyUsages.includes(oid)) extKeyUsages.push(oid);
    } else throw new PkiError('USAGE_INVALID', `unknown key usage "${name}"`);
  }
  return { keyUsage, extKeyUsages };
}

/** Usage names (cert-manager spelling) for a KU bit set and EKU OIDs; unknown EKUs are left out. */
export function usageNames({ keyUsage, extKeyUsages }: Usages): string[] {
  const names = [...keyUsageNameByFlag].filter(([flag]) => keyUsage & flag).map(([, name]) => name);
  for (const oid of extKeyUsages) {
    const name = extKeyUsageNameByOid.get(oid);
    if (name) names.push(name);
  }
  return names;
}

/**
 * KeyUsage bit i is named bit i of the BIT STRING, counted from the first octet's high bit; DER
 * drops trailing zero bits, so the string ends at the highest bit set.
 */
export function encodeKeyUsage(keyUsage: number): Buffer {
  const bitCount = 32 - Math.clz32(keyUsage);
  const octets = Buffer.alloc(Math.max(1, Math.ceil(bitCount / 8)));
  for (let bit = 0; bit < bitCount; bit++) if (keyUsage & (1 << bit)) octets[bit >> 3]! |= 0x80 >> (bit & 7);
  return derBitString(octets, octets.length * 8 - Math.max(1, bitCount));
}

export function encodeExtKeyUsage(oids: readonly string[]): Buffer {
  return derSequence(...oids.map(derOid));
}

const keyUsageReader = new DerReader('USAGE_INVALID', 'key usage extension');
const extKeyUsageReader = new DerReader('USAGE_INVALID', 'extended key usage extension');

/** KeyUsage bits as a number (RFC 5280 names bits 0–8); padding bits and bits past the 31st are ignored. */
export function decodeKeyUsage(der: Uint8Array): number {
  const { unusedBits, bytes } = keyUsageReader.bitString(keyUsageReader.single(der));
  const bitCount = Math.min(bytes.length * 8 - unusedBits, 31);
  let keyUsage = 0;
  for (let bit = 0; bit < bitCount; bit++) if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) keyUsage |= 1 << bit;
  return keyUsage;
}

export function decodeExtKeyUsage(der: Uint8Array): string[] {
  return extKeyUsageReader.children(extKeyUsageReader.single(der), TAG.sequence).map((oid) => extKeyUsageReader.oid(oid));
}
