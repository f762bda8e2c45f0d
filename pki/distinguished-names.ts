import { PkiError } from './errors.js';
import { decodeString, DerReader, TAG } from './der-reader.js';
import { derAsciiString, derOid, derSequence, derSetOf, derUtf8String } from './der-writer.js';

/** One attribute of an RDN: its OID and its value as text (`#hex` of the DER when not a string). */
export interface RdnAttribute {
  type: string;
  value: string;
}
/** A relative distinguished name: usually one attribute, several when multi-valued. */
export type Rdn = RdnAttribute[];
/** RDNs in ASN.1 order (most significant first: C, O, …, CN), as they are encoded. */
export type RdnSequence = Rdn[];

export const OID = {
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  province: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  postalCode: '2.5.4.17',
  domainComponent: '0.9.2342.19200300.100.1.25',
  userId: '0.9.2342.19200300.100.1.1',
} as const;

/** Names accepted in `literalSubject` (cert-manager's list; anything else must be a dotted OID). */
const literalSubjectTypes: Record<string, string> = {
  C: OID.country,
  O: OID.organization,
  OU: OID.organizationalUnit,
  CN: OID.commonName,
  SERIALNUMBER: OID.serialNumber,
  L: OID.locality,
  ST: OID.province,
  STREET: OID.streetAddress,
  DC: OID.domainComponent,
  UID: OID.userId,
};

/** Short names used when printing a DN (Go's pkix names plus DC and UID). */
const printedTypeNames: Record<string, string> = {
  ...Object.fromEntries(Object.entries(literalSubjectTypes).map(([name, oid]) => [oid, name])),
  [OID.postalCode]: 'POSTALCODE',
};

const dottedOid = /^[0-2](\.(0|[1-9]\d*))+$/;

/**
 * Parses an RFC 4514 string (`literalSubject`) into RDNs in ASN.1 order: the string lists the
 * most specific RDN first, so its RDNs are reversed, as cert-manager does after go-ldap's ParseDN.
 * Attribute types are names from cert-manager's list (case-insensitive) or dotted OIDs; `#`-hex
 * values are refused, as cert-manager refuses them.
 */
export function parseLiteralSubject(text: string): RdnSequence {
  const fail = (why: string): never => {
    throw new PkiError('SUBJECT_INVALID', `literal subject is not a valid RFC 4514 distinguished name: ${why}`);
  };
  const rdns: RdnSequence = [];
  if (text.trim() === '') return rdns;
  let rdn: Rdn = [];
  let i = 0;
  const skipSpaces = () => {
    while (text[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    const typeStart = i;
    while (i < text.length && text[i] !== '=' && !',;+'.includes(text[i]!)) i++;
    if (text[i] !== '=') fail(`attribute "${text.slice(typeStart, i).trim()}" has no value`);
    const typeName = text.slice(typeStart, i).trim();
    i++;
    const type = literalSubjectTypes[typeName.toUpperCase()] ?? (dottedOid.test(typeName) ? typeName : undefined);
    if (type === undefined) fail(`unknown attribute type "${typeName}"`);
    skipSpaces();
    if (text[i] === '#') fail('hex-encoded (#) attribute values are not supported');
    const value = readValue();
    rdn.push({ type: type!, value });
    skipSpaces();
    if (i >= text.length) break;
    const separator = text[i++]!;
    if (separator === '+') continue;
    rdns.push(rdn);
    rdn = [];
    if (i >= text.length) fail('it ends with a separator');
  }
  rdns.push(rdn);
  return rdns.reverse();

  function readValue(): string {
    const bytes: number[] = [];
    const pushText = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') readEscape();
        else pushText(text[i++]!);
      }
      if (text[i] !== '"') fail('unterminated quoted value');
      i++;
      return Buffer.from(bytes).toString('utf8');
    }
    // Trailing unescaped spaces are not part of the value; escaped ones are.
    let keptLength = 0;
    while (i < text.length && !',;+'.includes(text[i]!)) {
      if (text[i] === '\\') {
        readEscape();
        keptLength = bytes.length;
      } else {
        const c = text[i++]!;
        if (c === '"') fail('unescaped quote inside a value');
        pushText(c);
        if (c !== ' ') keptLength = bytes.length;
      }
    }
    return Buffer.from(bytes.slice(0, keptLength)).toString('utf8');

    function readEscape(): void {
      i++;
      const pair = text.slice(i, i + 2);
      if (/^[0-9a-fA-F]{2}$/.test(pair)) {
        bytes.push(parseInt(pair, 16));
        i += 2;
      } else if (i < text.length && ' "#+,;<=>\\'.includes(text[i]!)) {
        pushText(text[i++]!);
      } else {
        fail('invalid escape sequence');
      }
    }
  }
}

/**
 * Go's asn1.Marshal string choice: PrintableString when every character allows it (`*` and `&`
 * excluded), otherwise UTF8String. Matching it keeps our subjects byte-identical to cert-manager's.
 */
function isPrintableString(value: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
}

function encodeAttribute({ type, value }: RdnAttribute): Buffer {
  if (!dottedOid.test(type)) throw new PkiError('SUBJECT_INVALID', `attribute type "${type}" is not a dotted object identifier`);
  return derSequence(derOid(type), isPrintableString(value) ? derAsciiString(TAG.printableString, value) : derUtf8String(value));
}

export function encodeRdnSequence(rdns: RdnSequence): Buffer {
  return derSequence(...rdns.map((rdn) => derSetOf(rdn.map(encodeAttribute))));
}

const nameReader = new DerReader('SUBJECT_INVALID', 'distinguished name');

/**
 * RDNs of Name DER. String-typed values are their text; anything else is `#` and the hex of the
 * value's DER, as RFC 4514 prints values it cannot show as text.
 */
export function decodeRdnSequence(der: Uint8Array): RdnSequence {
  return nameReader.children(nameReader.single(der), TAG.sequence).map((rdn) =>
    nameReader.children(rdn, TAG.set).map((attribute) => {
      const [type, value, ...rest] = nameReader.children(attribute, TAG.sequence);
      if (!type || !value || rest.length) nameReader.fail('has a malformed attribute');
      return { type: nameReader.oid(type), value: decodeString(value, nameReader) ?? `#${value.bytes.toString('hex')}` };
    }),
  );
}

/**
 * A DN as Go's RDNSequence.String() prints it: least significant RDN first, `,` between RDNs,
 * `+` inside multi-valued ones, RFC 4514 escaping.
 */
export function formatRdnSequence(rdns: RdnSequence): string {
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map(({ type, value }) => `${printedTypeNames[type] ?? type}=${escapeValue(value)}`).join('+'))
    .join(',');
}

function escapeValue(value: string): string {
  const chars = [...value];
  return chars
    .map((c, k) => {
      const escape = ',+"\\<>;'.includes(c) || (c === ' ' && (k === 0 || k === chars.length - 1)) || (c === '#' && k === 0);
      return escape ? `\\${c}` : c;
    })
    .join('');
}

/** Values of attribute `type`, across all RDNs, in order. */
export function attributeValues(rdns: RdnSequence, type: string): string[] {
  return rdns.flatMap((rdn) => rdn.filter((a) => a.type === type).map((a) => a.value));
}

/** The subject fields cert-manager's `spec.subject` names, plus the common name. */
export interface SubjectFields {
  commonName: string;
  serialNumber: string;
  organizations: string[];
  organizationalUnits: string[];
  countries: string[];
  localities: string[];
  provinces: string[];
  streetAddresses: string[];
  postalCodes: string[];
}

export function subjectFields(rdns: RdnSequence): SubjectFields {
  const values = (type: string) => attributeValues(rdns, type);
  return {
    commonName: values(OID.commonName)[0] ?? '',
    serialNumber: values(OID.serialNumber)[0] ?? '',
    organizations: values(OID.organization),
    organizationalUnits: values(OID.organizationalUnit),
    countries: values(OID.country),
    localities: values(OID.locality),
    provinces: values(OID.province),
    streetAddresses: values(OID.streetAddress),
    postalCodes: values(OID.postalCode),
  };
}

/** `spec.subject` as cert-manager spells it. */
export interface X509SubjectSpec {
  organizations?: readonly string[];
  countries?: readonly string[];
  organizationalUnits?: readonly string[];
  localities?: readonly string[];
  provinces?: readonly string[];
  streetAddresses?: readonly string[];
  postalCodes?: readonly string[];
  serialNumber?: string;
}

/**
 * RDNs for `subject` + `commonName` in Go's pkix.Name.ToRDNSequence order (C, ST, L, STREET,
 * POSTALCODE, O, OU, CN, SERIALNUMBER), each type's values sharing one RDN, empty ones left out.
 */
export function rdnSequenceFromFields(subject: X509SubjectSpec | undefined, commonName: string | undefined): RdnSequence {
  const groups: Array<[string, readonly string[] | undefined]> = [
    [OID.country, subject?.countries],
    [OID.province, subject?.provinces],
    [OID.locality, subject?.localities],
    [OID.streetAddress, subject?.streetAddresses],
    [OID.postalCode, subject?.postalCodes],
    [OID.organization, subject?.organizations],
    [OID.organizationalUnit, subject?.organizationalUnits],
    [OID.commonName, commonName ? [commonName] : []],
    [OID.serialNumber, subject?.serialNumber ? [subject.serialNumber] : []],
  ];
  return groups.filter(([, values]) => values && values.length > 0).map(([type, values]) => values!.map((value) => ({ type, value })));
}

export const EMPTY_NAME_DER = Buffer.from([0x30, 0x00]);

export function isEmptyName(der: Uint8Array): boolean {
  return EMPTY_NAME_DER.equals(Buffer.from(der));
}
