import { PkiError } from './errors.js';
import { contextNumber, decodeString, DerReader, TAG, type DerElement } from './der-reader.js';
import { derContext, derOid, derSequence, derUtf8String } from './der-writer.js';
import { cidrToBytes, ipToBytes, ipToString } from './ip-addresses.js';

/** `spec.otherNames[]`: an otherName SAN whose value is a UTF8String. */
export interface OtherNameSpec {
  oid: string;
  utf8Value: string;
}

/** An otherName read from a certificate or CSR; `utf8Value` is absent when the value isn't a UTF8String. */
export interface OtherName {
  oid: string;
  utf8Value?: string;
}

export interface SubjectAltNames {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
  otherNames: OtherName[];
}

export interface SubjectAltNamesSpec {
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  uris?: readonly string[];
  emailAddresses?: readonly string[];
  otherNames?: readonly OtherNameSpec[];
}

export const SAN_OID = '2.5.29.17';
export const NAME_CONSTRAINTS_OID = '2.5.29.30';

const Tag = { otherName: 0, rfc822Name: 1, dNSName: 2, directoryName: 4, uri: 6, iPAddress: 7 } as const;
const dottedOid = /^[0-2](\.(0|[1-9]\d*))+$/;

function ia5(value: string, field: string): Buffer {
  if (!/^[\x00-\x7f]*$/.test(value)) throw new PkiError('SAN_INVALID', `${field} "${value}" is not ASCII (IA5String)`);
  return Buffer.from(value, 'latin1');
}

/** A primitive GeneralName: `[tag]` IMPLICIT over the value's octets. */
function primitiveName(tag: number, value: Uint8Array): Buffer {
  return derContext(tag, false, value);
}

function ipName(text: string): Buffer {
  const bytes = ipToBytes(text);
  if (!bytes) throw new PkiError('SAN_INVALID', `IP address "${text}" is not a valid IP address`);
  return primitiveName(Tag.iPAddress, bytes);
}

function uriName(text: string): Buffer {
  try {
    new URL(text);
  } catch {
    throw new PkiError('SAN_INVALID', `URI "${text}" is not a valid URI`);
  }
  return primitiveName(Tag.uri, ia5(text, 'URI'));
}

function otherName({ oid, utf8Value }: OtherNameSpec): Buffer {
  if (!dottedOid.test(oid)) throw new PkiError('SAN_INVALID', `otherName OID "${oid}" is not a dotted object identifier`);
  if (!utf8Value) throw new PkiError('SAN_INVALID', `otherName ${oid} has an empty utf8Value`);
  return derContext(Tag.otherName, true, derOid(oid), derContext(0, true, derUtf8String(utf8Value)));
}

/** True when the spec asks for no SAN at all. */
export function hasNoSubjectAltNames(sans: SubjectAltNamesSpec): boolean {
  return !sans.dnsNames?.length && !sans.ipAddresses?.length && !sans.uris?.length && !sans.emailAddresses?.length && !sans.otherNames?.length;
}

/** GeneralNames DER for the SAN extension, in cert-manager's order: DNS, email, URI, IP, otherName. */
export function encodeSubjectAltNames(sans: SubjectAltNamesSpec): Buffer {
  return derSequence(
    ...(sans.dnsNames ?? []).map((dns) => primitiveName(Tag.dNSName, ia5(dns, 'DNS name'))),
    ...(sans.emailAddresses ?? []).map((email) => primitiveName(Tag.rfc822Name, ia5(email, 'email address'))),
    ...(sans.uris ?? []).map(uriName),
    ...(sans.ipAddresses ?? []).map(ipName),
    ...(sans.otherNames ?? []).map(otherName),
  );
}

const sanReader = new DerReader('SAN_INVALID', 'subject alternative names');

function readOtherName(name: DerElement): OtherName {
  const [typeId, wrapped] = sanReader.children(name);
  if (typeId?.tag !== TAG.oid || !wrapped) sanReader.fail('have a malformed otherName');
  const inner = sanReader.children(wrapped)[0];
  const oid = sanReader.oid(typeId);
  return inner?.tag === TAG.utf8String ? { oid, utf8Value: decodeString(inner, sanReader)! } : { oid };
}

/** The text of an IA5String-valued GeneralName (dNSName, rfc822Name, URI). */
export function generalNameText(name: DerElement, reader: DerReader): string {
  return reader.primitive(name).toString('latin1');
}

export function noSubjectAltNames(): SubjectAltNames {
  return { dnsNames: [], ipAddresses: [], uris: [], emailAddresses: [], otherNames: [] };
}

/** Reads GeneralNames DER (the SAN extension value); name types cert-manager doesn't use are skipped. */
export function decodeSubjectAltNames(der: Uint8Array): SubjectAltNames {
  const sans = noSubjectAltNames();
  for (const name of sanReader.children(sanReader.single(der), TAG.sequence)) {
    const tag = contextNumber(name);
    if (tag === undefined) sanReader.fail('have a name with an unexpected tag');
    switch (tag) {
      case Tag.dNSName:
        sans.dnsNames.push(generalNameText(name, sanReader));
        break;
      case Tag.rfc822Name:
        sans.emailAddresses.push(generalNameText(name, sanReader));
        break;
      case Tag.uri:
        sans.uris.push(generalNameText(name, sanReader));
        break;
      case Tag.iPAddress:
        sans.ipAddresses.push(ipToString(sanReader.primitive(name)));
        break;
      case Tag.otherName:
        sans.otherNames.push(readOtherName(name));
        break;
    }
  }
  return sans;
}

/** `spec.nameConstraints` as cert-manager spells it. */
export interface NameConstraintItemsSpec {
  dnsDomains?: readonly string[];
  ipRanges?: readonly string[];
  emailAddresses?: readonly string[];
  uriDomains?: readonly string[];
}
export interface NameConstraintsSpec {
  critical?: boolean;
  permitted?: NameConstraintItemsSpec;
  excluded?: NameConstraintItemsSpec;
}

function subtrees(items: NameConstraintItemsSpec, tagNumber: number): Buffer {
  const subtree = (base: Buffer) => derSequence(base);
  const ipRange = (cidr: string) => {
    const bytes = cidrToBytes(cidr);
    if (!bytes) throw new PkiError('NAME_CONSTRAINTS_INVALID', `IP range "${cidr}" is not a valid CIDR`);
    return primitiveName(Tag.iPAddress, bytes);
  };
  const ascii = (value: string) => {
    if (!/^[\x00-\x7f]*$/.test(value)) throw new PkiError('NAME_CONSTRAINTS_INVALID', `name constraint "${value}" is not ASCII`);
    return Buffer.from(value, 'latin1');
  };
  return derContext(
    tagNumber,
    true,
    ...(items.dnsDomains ?? []).map((d) => subtree(primitiveName(Tag.dNSName, ascii(d)))),
    ...(items.ipRanges ?? []).map((r) => subtree(ipRange(r))),
    ...(items.emailAddresses ?? []).map((e) => subtree(primitiveName(Tag.rfc822Name, ascii(e)))),
    ...(items.uriDomains ?? []).map((u) => subtree(primitiveName(Tag.uri, ascii(u)))),
  );
}

function isEmptyItems(items: NameConstraintItemsSpec | undefined): boolean {
  return !items || [items.dnsDomains, items.ipRanges, items.emailAddresses, items.uriDomains].every((list) => !list?.length);
}

/** NameConstraints DER (permitted [0], excluded [1]); empty lists are left out, as Go does. */
export function encodeNameConstraints(spec: NameConstraintsSpec): Buffer {
  const parts: Buffer[] = [];
  if (!isEmptyItems(spec.permitted)) parts.push(subtrees(spec.permitted!, 0));
  if (!isEmptyItems(spec.excluded)) parts.push(subtrees(spec.excluded!, 1));
  if (parts.length === 0) throw new PkiError('NAME_CONSTRAINTS_INVALID', 'name constraints need at least one permitted or excluded item');
  return derSequence(...parts);
}
