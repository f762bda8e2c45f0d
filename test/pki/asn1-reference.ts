/**
 * Test oracle: certificates and CSRs read the slow way, with @peculiar/asn1-x509 / asn1js (the path
 * pki/ used before its DER reader). Fast-path tests compare pki/'s output with this field by field.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { ECParameters } from '@peculiar/asn1-ecc';
import { RSAPublicKey } from '@peculiar/asn1-rsa';
import {
  AttributeTypeAndValue,
  AttributeValue,
  RelativeDistinguishedName,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CRLDistributionPoints,
  ExtendedKeyUsage,
  Extensions,
  KeyUsage,
  Name,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  type Extension,
  type GeneralName,
} from '@peculiar/asn1-x509';
import {
  formatRdnSequence,
  ipToBytes,
  ipToString,
  subjectFields,
  usageNames,
  type KeyDescription,
  type NameConstraintsSpec,
  type RdnSequence,
  type SubjectAltNamesSpec,
} from '../../pki/index.js';
import { cidrToBytes } from '../../pki/ip-addresses.js';

function attributeText(value: AttributeValue): string {
  if (value.anyValue) return `#${Buffer.from(value.anyValue).toString('hex')}`;
  return value.toString();
}

export function referenceRdns(der: Uint8Array): RdnSequence {
  const name = AsnConvert.parse(Buffer.from(der), Name);
  return Array.from(name, (rdn) => Array.from(rdn, (atv) => ({ type: atv.type, value: attributeText(atv.value) })));
}

export function referenceSans(der: Uint8Array) {
  const sans = { dnsNames: [] as string[], ipAddresses: [] as string[], uris: [] as string[], emailAddresses: [] as string[], otherNames: [] as Array<{ oid: string; utf8Value?: string }> };
  const parsed = asn1js.fromBER(new Uint8Array(der)).result as asn1js.Sequence;
  for (const name of parsed.valueBlock.value) {
    const content = () => Buffer.from((name.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
    switch (name.idBlock.tagNumber) {
      case 2:
        sans.dnsNames.push(content().toString('latin1'));
        break;
      case 1:
        sans.emailAddresses.push(content().toString('latin1'));
        break;
      case 6:
        sans.uris.push(content().toString('latin1'));
        break;
      case 7:
        sans.ipAddresses.push(ipToString(content()));
        break;
      case 0: {
        const [typeId, wrapped] = (name as asn1js.Constructed).valueBlock.value;
        const inner = (wrapped as asn1js.Constructed).valueBlock.value[0];
        const oid = (typeId as asn1js.ObjectIdentifier).valueBlock.toString();
        sans.otherNames.push(inner instanceof asn1js.Utf8String ? { oid, utf8Value: inner.valueBlock.value } : { oid });
      }
    }
  }
  return sans;
}

function bitLength(bytes: Buffer): number {
  const first = bytes.findIndex((b) => b !== 0);
  return first < 0 ? 0 : (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}

export function referenceKeyDescription(spki: Uint8Array): KeyDescription | undefined {
  const info = AsnConvert.parse(Buffer.from(spki), SubjectPublicKeyInfo);
  switch (info.algorithm.algorithm) {
    case '1.2.840.113549.1.1.1':
      return { algorithm: 'RSA', size: bitLength(Buffer.from(AsnConvert.parse(info.subjectPublicKey, RSAPublicKey).modulus)) };
    case '1.2.840.10045.2.1': {
      const curve = ({ '1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384', '1.3.132.0.35': 'P-521' } as const)[AsnConvert.parse(info.algorithm.parameters!, ECParameters).namedCurve ?? ''];
      return curve ? { algorithm: 'ECDSA', size: Number(curve.slice(2)), curve } : undefined;
    }
    case '1.3.101.112':
      return { algorithm: 'Ed25519', size: 256 };
    default:
      return undefined;
  }
}

function referenceExtensions(extensions: readonly Extension[] | undefined) {
  return new Map(Array.from(extensions ?? [], (e) => [e.extnID, { critical: e.critical, value: Buffer.from(e.extnValue.buffer) }]));
}

/** The old namesAndUsages: what a certificate or CSR says about its names, usages and key. */
function referenceNamesAndUsages(rawSubject: Buffer, extensions: ReturnType<typeof referenceExtensions>, spki: Buffer) {
  const subjectRdns = referenceRdns(rawSubject);
  const fields = subjectFields(subjectRdns);
  const san = extensions.get('2.5.29.17');
  const sans = san ? referenceSans(san.value) : referenceSans(Buffer.from('3000', 'hex'));
  const ku = extensions.get('2.5.29.15');
  const eku = extensions.get('2.5.29.37');
  const keyUsage = ku ? AsnConvert.parse(ku.value, KeyUsage).toNumber() : 0;
  const extKeyUsages = eku ? [...AsnConvert.parse(eku.value, ExtendedKeyUsage)] : [];
  const bc = extensions.get('2.5.29.19');
  const description = referenceKeyDescription(spki);
  return {
    rawSubject,
    subjectRdns,
    subject: formatRdnSequence(subjectRdns),
    subjectFields: fields,
    commonName: fields.commonName,
    ...sans,
    sanCritical: san?.critical ?? false,
    keyUsage,
    extKeyUsages,
    usages: usageNames({ keyUsage, extKeyUsages }),
    isCA: bc ? AsnConvert.parse(bc.value, BasicConstraints).cA : false,
    hasBasicConstraints: bc !== undefined,
    publicKeyDer: spki,
    ...(description ? { publicKey: description } : {}),
  };
}

const uriOf = (name: GeneralName) => (name.uniformResourceIdentifier ? [name.uniformResourceIdentifier] : []);

/** Every CertificateInfo field except `pem`, read the slow way from DER. */
export function referenceCertificate(der: Buffer) {
  const certificate = AsnConvert.parse(der, Certificate);
  const tbs = certificate.tbsCertificate;
  const tbsFields = (asn1js.fromBER(new Uint8Array(der)).result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const [maybeVersion] = tbsFields.valueBlock.value;
  const [serial, , issuer, , subject] = tbsFields.valueBlock.value.slice(maybeVersion!.idBlock.tagClass === 3 ? 1 : 0);
  const rawIssuer = Buffer.from(issuer!.valueBeforeDecodeView);
  const rawSubject = Buffer.from(subject!.valueBeforeDecodeView);
  const serialBytes = Buffer.from((serial!.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
  const extensions = referenceExtensions(tbs.extensions);
  const ski = extensions.get('2.5.29.14');
  const aki = extensions.get('2.5.29.35');
  const akiId = aki && AsnConvert.parse(aki.value, AuthorityKeyIdentifier).keyIdentifier;
  const cdp = extensions.get('2.5.29.31');
  const aia = extensions.get('1.3.6.1.5.5.7.1.1');
  const access = aia ? Array.from(AsnConvert.parse(aia.value, AuthorityInfoAccessSyntax)) : [];
  const issuerRdns = referenceRdns(rawIssuer);
  return {
    ...referenceNamesAndUsages(rawSubject, extensions, Buffer.from(AsnConvert.serialize(tbs.subjectPublicKeyInfo))),
    der,
    serialNumber: serialBytes.toString('hex').replace(/^0+(?=.)/, ''),
    serialNumberBytes: serialBytes,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    rawIssuer,
    issuerRdns,
    issuer: formatRdnSequence(issuerRdns),
    selfIssued: rawIssuer.equals(rawSubject),
    ...(ski ? { subjectKeyId: Buffer.from(AsnConvert.parse(ski.value, SubjectKeyIdentifier).buffer) } : {}),
    ...(akiId ? { authorityKeyId: Buffer.from(akiId.buffer) } : {}),
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    signatureAlgorithmOid: certificate.signatureAlgorithm.algorithm,
    crlDistributionPoints: cdp ? Array.from(AsnConvert.parse(cdp.value, CRLDistributionPoints)).flatMap((p) => (p.distributionPoint?.fullName ?? []).flatMap(uriOf)) : [],
    ocspServers: access.filter((a) => a.accessMethod === '1.3.6.1.5.5.7.48.1').flatMap((a) => uriOf(a.accessLocation)),
    issuingCertificateUrls: access.filter((a) => a.accessMethod === '1.3.6.1.5.5.7.48.2').flatMap((a) => uriOf(a.accessLocation)),
    extensions,
  };
}

/** Every CsrInfo field except `pem`, read the slow way from DER. */
export function referenceCsr(der: Buffer) {
  const request = AsnConvert.parse(der, CertificationRequest);
  const info = (asn1js.fromBER(new Uint8Array(der)).result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
  const rawSubject = Buffer.from(info.valueBlock.value[1]!.valueBeforeDecodeView);
  const extensionRequest = request.certificationRequestInfo.attributes.find((a) => a.type === '1.2.840.113549.1.9.14');
  const extensions = referenceExtensions(extensionRequest?.values[0] ? AsnConvert.parse(extensionRequest.values[0], Extensions) : undefined);
  return { ...referenceNamesAndUsages(rawSubject, extensions, Buffer.from(AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo))), der, extensions };
}

/** The old Name encoder: Go's PrintableString-or-UTF8String choice, SET OF members in DER order. */
export function referenceEncodeRdns(rdns: RdnSequence): Buffer {
  const encode = ({ type, value }: { type: string; value: string }) =>
    new AttributeTypeAndValue({ type, value: /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value) ? new AttributeValue({ printableString: value }) : new AttributeValue({ utf8String: value }) });
  const name = new Name(
    rdns.map((rdn) => {
      const members = rdn.map(encode).map((atv) => ({ atv, der: Buffer.from(AsnConvert.serialize(atv)) }));
      members.sort((x, y) => Buffer.compare(x.der, y.der));
      return new RelativeDistinguishedName(members.map((m) => m.atv));
    }),
  );
  return Buffer.from(AsnConvert.serialize(name));
}

const contextPrimitive = (tagNumber: number, value: Uint8Array) => new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber }, valueHex: new Uint8Array(value) });
const contextConstructed = (tagNumber: number, value: asn1js.AsnType[]) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber }, value });
const ascii = (text: string) => Buffer.from(text, 'latin1');

/** The old asn1js SAN encoder (DNS, email, URI, IP, otherName). */
export function referenceEncodeSans(sans: SubjectAltNamesSpec): Buffer {
  const names: asn1js.AsnType[] = [
    ...(sans.dnsNames ?? []).map((dns) => contextPrimitive(2, ascii(dns))),
    ...(sans.emailAddresses ?? []).map((email) => contextPrimitive(1, ascii(email))),
    ...(sans.uris ?? []).map((uri) => contextPrimitive(6, ascii(uri))),
    ...(sans.ipAddresses ?? []).map((ip) => contextPrimitive(7, ipToBytes(ip)!)),
    ...(sans.otherNames ?? []).map(({ oid, utf8Value }) =>
      contextConstructed(0, [new asn1js.ObjectIdentifier({ value: oid }), contextConstructed(0, [new asn1js.Utf8String({ value: utf8Value })])]),
    ),
  ];
  return Buffer.from(new asn1js.Sequence({ value: names }).toBER(false));
}

/** The old asn1js NameConstraints encoder. */
export function referenceEncodeNameConstraints(spec: NameConstraintsSpec): Buffer {
  const subtrees = (items: NonNullable<NameConstraintsSpec['permitted']>, tagNumber: number) =>
    contextConstructed(tagNumber, [
      ...(items.dnsDomains ?? []).map((d) => new asn1js.Sequence({ value: [contextPrimitive(2, ascii(d))] })),
      ...(items.ipRanges ?? []).map((r) => new asn1js.Sequence({ value: [contextPrimitive(7, cidrToBytes(r)!)] })),
      ...(items.emailAddresses ?? []).map((e) => new asn1js.Sequence({ value: [contextPrimitive(1, ascii(e))] })),
      ...(items.uriDomains ?? []).map((u) => new asn1js.Sequence({ value: [contextPrimitive(6, ascii(u))] })),
    ]);
  const parts = [...(spec.permitted ? [subtrees(spec.permitted, 0)] : []), ...(spec.excluded ? [subtrees(spec.excluded, 1)] : [])];
  return Buffer.from(new asn1js.Sequence({ value: parts }).toBER(false));
}
