import * as asn1js from 'asn1js';
import { PkiError } from './errors.js';
import { childrenOf, contentOf, contextConstructed, contextPrimitive, parseDer, toDer } from './der.js';
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

function ipName(text: string): asn1js.Primitive {
  const bytes = ipToBytes(text);
  if (!bytes) throw new PkiError('SAN_INVALID', `IP address "${text}" is not a valid IP address`);
  return contextPrimitive(Tag.iPAddress, bytes);
}

function uriName(text: string): asn1js.Primitive {
  try {
    new URL(text);
  } catch {
    throw new PkiError('SAN_INVALID', `URI "${text}" is not a valid URI`);
  }
  return contextPrimitive(Tag.uri, ia5(text, 'URI'));
}

function otherName({ oid, utf8Value }: OtherNameSpec): asn1js.Constructed {
  if (!dottedOid.test(oid)) throw new PkiError('SAN_INVALID', `otherName OID "${oid}" is not a dotted object identifier`);
  if (!utf8Value) throw new PkiError('SAN_INVALID', `otherName ${oid} has an empty utf8Value`);
  return contextConstructed(Tag.otherName, [
    new asn1js.ObjectIdentifier({ value: oid }),
    contextConstructed(0, [new asn1js.Utf8String({ value: utf8Value })]),
  ]);
}

/** True when the spec asks for no SAN at all. */
export function hasNoSubjectAltNames(sans: SubjectAltNamesSpec): boolean {
  return !sans.dnsNames?.length && !sans.ipAddresses?.length && !sans.uris?.length && !sans.emailAddresses?.length && !sans.otherNames?.length;
}

/** GeneralNames DER for the SAN extension, in cert-manager's order: DNS, email, URI, IP, otherName. */
export function encodeSubjectAltNames(sans: SubjectAltNamesSpec): Buffer {
  const names: asn1js.AsnType[] = [
    ...(sans.dnsNames ?? []).map((dns) => contextPrimitive(Tag.dNSName, ia5(dns, 'DNS name'))),
    ...(sans.emailAddresses ?? []).map((email) => contextPrimitive(Tag.rfc822Name, ia5(email, 'email address'))),
    ...(sans.uris ?? []).map(uriName),
    ...(sans.ipAddresses ?? []).map(ipName),
    ...(sans.otherNames ?? []).map(otherName),
  ];
  return toDer(new asn1js.Sequence({ value: names }));
}

function readOtherName(value: asn1js.AsnType): OtherName {
  const [typeId, wrapped] = childrenOf(value, 'SAN_INVALID', 'otherName');
  if (!(typeId instanceof asn1js.ObjectIdentifier) || !wrapped) throw new PkiError('SAN_INVALID', 'otherName is malformed');
  const inner = childrenOf(wrapped, 'SAN_INVALID', 'otherName value')[0];
  const oid = typeId.valueBlock.toString();
  return inner instanceof asn1js.Utf8String ? { oid, utf8Value: inner.valueBlock.value } : { oid };
}

export function noSubjectAltNames(): SubjectAltNames {
  return { dnsNames: [], ipAddresses: [], uris: [], emailAddresses: [], otherNames: [] };
}

/** Reads GeneralNames DER (the SAN extension value); name types cert-manager doesn't use are skipped. */
export function decodeSubjectAltNames(der: Uint8Array): SubjectAltNames {
  const sans = noSubjectAltNames();
  for (const name of childrenOf(parseDer(der, 'SAN_INVALID', 'subject alternative names'), 'SAN_INVALID', 'subject alternative names')) {
    if (name.idBlock.tagClass !== 3) throw new PkiError('SAN_INVALID', 'subject alternative name has an unexpected tag');
    const content = () => contentOf(name, 'SAN_INVALID', 'subject alternative name');
    switch (name.idBlock.tagNumber) {
      case Tag.dNSName:
        sans.dnsNames.push(content().toString('latin1'));
        break;
      case Tag.rfc822Name:
        sans.emailAddresses.push(content().toString('latin1'));
        break;
      case Tag.uri:
        sans.uris.push(content().toString('latin1'));
        break;
      case Tag.iPAddress:
        sans.ipAddresses.push(ipToString(content()));
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

function subtrees(items: NameConstraintItemsSpec, tagNumber: number): asn1js.Constructed {
  const subtree = (base: asn1js.AsnType) => new asn1js.Sequence({ value: [base] });
  const ipRange = (cidr: string) => {
    const bytes = cidrToBytes(cidr);
    if (!bytes) throw new PkiError('NAME_CONSTRAINTS_INVALID', `IP range "${cidr}" is not a valid CIDR`);
    return contextPrimitive(Tag.iPAddress, bytes);
  };
  const ascii = (value: string) => {
    if (!/^[\x00-\x7f]*$/.test(value)) throw new PkiError('NAME_CONSTRAINTS_INVALID', `name constraint "${value}" is not ASCII`);
    return Buffer.from(value, 'latin1');
  };
  return contextConstructed(tagNumber, [
    ...(items.dnsDomains ?? []).map((d) => subtree(contextPrimitive(Tag.dNSName, ascii(d)))),
    ...(items.ipRanges ?? []).map((r) => subtree(ipRange(r))),
    ...(items.emailAddresses ?? []).map((e) => subtree(contextPrimitive(Tag.rfc822Name, ascii(e)))),
    ...(items.uriDomains ?? []).map((u) => subtree(contextPrimitive(Tag.uri, ascii(u)))),
  ]);
}

function isEmptyItems(items: NameConstraintItemsSpec | undefined): boolean {
  return !items || [items.dnsDomains, items.ipRanges, items.emailAddresses, items.uriDomains].every((list) => !list?.length);
}

/** NameConstraints DER (permitted [0], excluded [1]); empty lists are left out, as Go does. */
export function encodeNameConstraints(spec: NameConstraintsSpec): Buffer {
  const parts: asn1js.AsnType[] = [];
  if (!isEmptyItems(spec.permitted)) parts.push(subtrees(spec.permitted!, 0));
  if (!isEmptyItems(spec.excluded)) parts.push(subtrees(spec.excluded!, 1));
  if (parts.length === 0) throw new PkiError('NAME_CONSTRAINTS_INVALID', 'name constraints need at least one permitted or excluded item');
  return toDer(new asn1js.Sequence({ value: parts }));
}
