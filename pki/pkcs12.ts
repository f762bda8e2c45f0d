import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { ContentInfo, id_data, id_encryptedData } from '@peculiar/asn1-cms';
import { EncryptedData as EncryptedKeyData, EncryptedPrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import {
  AuthenticatedSafe,
  CertBag,
  id_certBag,
  id_pbeWithSHAAnd3_KeyTripleDES_CBC,
  id_pbewithSHAAnd40BitRC2_CBC,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
  MacData,
  PFX,
  PKCS12Attribute,
  SafeBag,
  SafeContents,
} from '@peculiar/asn1-pfx';
import { DigestInfo } from '@peculiar/asn1-rsa';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { PkiError, parsingAs } from './errors.js';
import { childrenOf, contentOf, contextPrimitive, parseDer, toDerArrayBuffer } from './der.js';
import { parseCertificateBundle, parseCertificateChain, type CertificateInfo } from './certificates.js';
import type { PemOrDer } from './pem.js';

/**
 * cert-manager's `keystores.pkcs12.profile`, which names go-pkcs12 encoders:
 * - LegacyRC2 (default): certificates PBE-SHA1-RC2-40, key PBE-SHA1-3DES, HMAC-SHA1 MAC (1 iteration).
 * - LegacyDES: certificates and key PBE-SHA1-3DES, HMAC-SHA1 MAC (1 iteration).
 * - Modern2023: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for both, HMAC-SHA256 MAC, 2048 iterations.
 * - Modern2026: as Modern2023 but the MAC is PBMAC1 (RFC 9579: PBKDF2-HMAC-SHA256 + HMAC-SHA256),
 *   which OpenSSL reads from 3.4 and Java from 26. go-pkcs12 doesn't document its iteration count;
 *   we keep Modern2023's 2048.
 */
export type Pkcs12Profile = 'LegacyRC2' | 'LegacyDES' | 'Modern2023' | 'Modern2026';

const OIDS = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

const ENCRYPTION_ITERATIONS = 2048;
/** Bounds what a hostile keystore can make MAC verification compute. */
const MAX_VERIFY_ITERATIONS = 10_000_000;

function checkedIterations(iterations: number): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_VERIFY_ITERATIONS) {
    throw new PkiError('KEYSTORE_INVALID', `PKCS#12 iteration count ${iterations} is out of range`);
  }
  return iterations;
}

type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const hashByDigestOid: Record<string, Hash> = { [OIDS.sha1]: 'sha1', [OIDS.sha256]: 'sha256', [OIDS.sha384]: 'sha384', [OIDS.sha512]: 'sha512' };
const hashByHmacOid: Record<string, Hash> = {
  [OIDS.hmacWithSHA1]: 'sha1',
  [OIDS.hmacWithSHA256]: 'sha256',
  [OIDS.hmacWithSHA384]: 'sha384',
  [OIDS.hmacWithSHA512]: 'sha512',
};
const hashLength: Record<Hash, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** RFC 7292 appendix B key derivation (BMPString password), via node-forge. */
function pkcs12Kdf(password: string, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number, hash: Hash): Buffer {
  const md = forge.md[hash].create();
  const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt.toString('binary')), id, iterations, length, md);
  return Buffer.from(key.getBytes(), 'binary');
}

function algorithm(oid: string, parameters: asn1js.AsnType | null): AlgorithmIdentifier {
  return new AlgorithmIdentifier({ algorithm: oid, parameters: parameters ? toDerArrayBuffer(parameters) : null });
}

function nullParams(): asn1js.Null {
  return new asn1js.Null();
}

/** A password-based cipher: encrypts with fresh salt (and IV) and names itself as an AlgorithmIdentifier. */
type PasswordCipher = (plaintext: Buffer, password: string) => { algorithm: AlgorithmIdentifier; ciphertext: Buffer };

function rc2Cbc40(key: Buffer, iv: Buffer, plaintext: Buffer): Buffer {
  // RC2 is only in OpenSSL's legacy provider, which Node does not load, hence node-forge.
  const cipher = forge.rc2.createEncryptionCipher(key.toString('binary'), 40);
  cipher.start(iv.toString('binary'));
  cipher.update(forge.util.createBuffer(plaintext.toString('binary')));
  cipher.finish();
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

function tripleDesCbc(key: Buffer, iv: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** PKCS#12 PBE with SHA-1 (RFC 7292 appendix C): key and IV from the PKCS#12 KDF, 8-byte salt. */
function pkcs12Pbe(oid: string, keyLength: number, encrypt: (key: Buffer, iv: Buffer, plaintext: Buffer) => Buffer): PasswordCipher {
  return (plaintext, password) => {
    const salt = randomBytes(8);
    const key = pkcs12Kdf(password, salt, 1, ENCRYPTION_ITERATIONS, keyLength, 'sha1');
    const iv = pkcs12Kdf(password, salt, 2, ENCRYPTION_ITERATIONS, 8, 'sha1');
    const params = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: salt }), new asn1js.Integer({ value: ENCRYPTION_ITERATIONS })] });
    return { algorithm: algorithm(oid, params), ciphertext: encrypt(key, iv, plaintext) };
  };
}

function pbkdf2Params(salt: Buffer, iterations: number, keyLength: number | undefined): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      new asn1js.OctetString({ valueHex: salt }),
      new asn1js.Integer({ value: iterations }),
      ...(keyLength === undefined ? [] : [new asn1js.Integer({ value: keyLength })]),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OIDS.hmacWithSHA256 }), nullParams()] }),
    ],
  });
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC; the password goes in as UTF-8, as OpenSSL does. */
const pbes2Aes256: PasswordCipher = (plaintext, password) => {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, ENCRYPTION_ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const params = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OIDS.pbkdf2 }), pbkdf2Params(salt, ENCRYPTION_ITERATIONS, undefined)] }),
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OIDS.aes256Cbc }), new asn1js.OctetString({ valueHex: iv })] }),
    ],
  });
  return { algorithm: algorithm(OIDS.pbes2, params), ciphertext };
};

/** Computes the PFX MacData over the AuthenticatedSafe bytes. */
type MacScheme = (authSafe: Buffer, password: string) => MacData;

function classicMac(hash: Hash, iterations: number, saltLength: number): MacScheme {
  return (authSafe, password) => {
    const salt = randomBytes(saltLength);
    const key = pkcs12Kdf(password, salt, 3, iterations, hashLength[hash], hash);
    const digest = createHmac(hash, key).update(authSafe).digest();
    const digestOid = Object.entries(hashByDigestOid).find(([, h]) => h === hash)![0];
    return new MacData({
      mac: new DigestInfo({ digestAlgorithm: algorithm(digestOid, nullParams()), digest: new OctetString(digest) }),
      macSalt: new OctetString(salt),
      iterations,
    });
  };
}

const PBMAC1_UNUSED_SALT = Buffer.from('NOT USED');

/** RFC 9579 PBMAC1: HMAC-SHA256 keyed by PBKDF2-HMAC-SHA256 of the UTF-8 password. */
function pbmac1(iterations: number): MacScheme {
  return (authSafe, password) => {
    const salt = randomBytes(16);
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
    const digest = createHmac('sha256', key).update(authSafe).digest();
    const params = new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OIDS.pbkdf2 }), pbkdf2Params(salt, iterations, 32)] }),
        new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OIDS.hmacWithSHA256 }), nullParams()] }),
      ],
    });
    // MacData's own salt and iteration count are unused with PBMAC1 (RFC 9579 section 4).
    return new MacData({
      mac: new DigestInfo({ digestAlgorithm: algorithm(OIDS.pbmac1, params), digest: new OctetString(digest) }),
      macSalt: new OctetString(PBMAC1_UNUSED_SALT),
      iterations: 1,
    });
  };
}

interface ProfileParameters {
  certificates: PasswordCipher;
  key: PasswordCipher;
  mac: MacScheme;
}

const pbeSha1TripleDes = pkcs12Pbe(id_pbeWithSHAAnd3_KeyTripleDES_CBC, 24, tripleDesCbc);
const pbeSha1Rc2_40 = pkcs12Pbe(id_pbewithSHAAnd40BitRC2_CBC, 5, rc2Cbc40);

const profiles: Record<Pkcs12Profile, ProfileParameters> = {
  LegacyRC2: { certificates: pbeSha1Rc2_40, key: pbeSha1TripleDes, mac: classicMac('sha1', 1, 8) },
  LegacyDES: { certificates: pbeSha1TripleDes, key: pbeSha1TripleDes, mac: classicMac('sha1', 1, 8) },
  Modern2023: { certificates: pbes2Aes256, key: pbes2Aes256, mac: classicMac('sha256', ENCRYPTION_ITERATIONS, 16) },
  Modern2026: { certificates: pbes2Aes256, key: pbes2Aes256, mac: pbmac1(ENCRYPTION_ITERATIONS) },
};

export function pkcs12ProfileOf(profile: string | undefined): Pkcs12Profile {
  if (profile === undefined || profile === '') return 'LegacyRC2';
  if (profile in profiles) return profile as Pkcs12Profile;
  throw new PkiError('KEYSTORE_INVALID', `unsupported PKCS#12 profile "${profile}" (want LegacyRC2, LegacyDES, Modern2023 or Modern2026)`);
}

function attribute(oid: string, value: asn1js.AsnType): PKCS12Attribute {
  // PKCS12Attribute's constructor drops its parameters (asn1-pfx 2.11), so the fields are set after.
  return Object.assign(new PKCS12Attribute(), { attrId: oid, attrValues: [toDerArrayBuffer(value)] });
}

function certificateBag(certificate: CertificateInfo, attributes: PKCS12Attribute[]): SafeBag {
  const certBag = new CertBag({ certId: id_x509Certificate, certValue: AsnConvert.serialize(new OctetString(certificate.der)) });
  return new SafeBag({ bagId: id_certBag, bagValue: AsnConvert.serialize(certBag), ...(attributes.length ? { bagAttributes: attributes } : {}) });
}

function dataContent(bags: SafeBag[]): ContentInfo {
  return new ContentInfo({ contentType: id_data, content: AsnConvert.serialize(new OctetString(AsnConvert.serialize(new SafeContents(bags)))) });
}

function encryptedContent(bags: SafeBag[], cipher: PasswordCipher, password: string): ContentInfo {
  const { algorithm: encryption, ciphertext } = cipher(Buffer.from(AsnConvert.serialize(new SafeContents(bags))), password);
  // CMS EncryptedData { version 0, EncryptedContentInfo { data, algorithm, [0] IMPLICIT ciphertext } }
  const encryptedData = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      new asn1js.Sequence({
        value: [new asn1js.ObjectIdentifier({ value: id_data }), parseDer(Buffer.from(AsnConvert.serialize(encryption)), 'KEYSTORE_INVALID', 'algorithm'), contextPrimitive(0, ciphertext)],
      }),
    ],
  });
  return new ContentInfo({ contentType: id_encryptedData, content: toDerArrayBuffer(encryptedData) });
}

function pfx(contents: ContentInfo[], mac: MacScheme, password: string): Buffer {
  const authSafe = Buffer.from(AsnConvert.serialize(new AuthenticatedSafe(contents)));
  const result = new PFX({
    version: 3,
    authSafe: new ContentInfo({ contentType: id_data, content: AsnConvert.serialize(new OctetString(authSafe)) }),
    macData: mac(authSafe, password),
  });
  return Buffer.from(AsnConvert.serialize(result));
}

export interface Pkcs12KeystoreInput {
  privateKey: KeyObject;
  /** `tls.crt`: the leaf certificate, then its chain. */
  certificate: PemOrDer;
  /** `ca.crt`, if any: added after the chain. */
  ca?: PemOrDer;
  password: string;
  profile?: string;
}

/**
 * `keystore.p12` as cert-manager writes it with go-pkcs12's Encode: an encrypted SafeContents with
 * the leaf, its chain and the CAs, and a plain one with the shrouded PKCS#8 key; leaf and key share
 * a localKeyId (SHA-1 of the leaf).
 */
export function encodePkcs12Keystore(input: Pkcs12KeystoreInput): Buffer {
  const parameters = profiles[pkcs12ProfileOf(input.profile)];
  const [leaf, ...chain] = parseCertificateChain(input.certificate);
  const cas = input.ca ? parseCertificateBundle(input.ca) : [];
  const localKeyId = attribute(OIDS.localKeyId, new asn1js.OctetString({ valueHex: createHash('sha1').update(leaf!.der).digest() }));
  const certificateBags = [certificateBag(leaf!, [localKeyId]), ...[...chain, ...cas].map((c) => certificateBag(c, []))];
  const { algorithm: keyEncryption, ciphertext } = parameters.key(input.privateKey.export({ format: 'der', type: 'pkcs8' }), input.password);
  const shroudedKey = new EncryptedPrivateKeyInfo({ encryptionAlgorithm: keyEncryption, encryptedData: new EncryptedKeyData(ciphertext) });
  const keyBag = new SafeBag({ bagId: id_pkcs8ShroudedKeyBag, bagValue: AsnConvert.serialize(shroudedKey), bagAttributes: [localKeyId] });
  return pfx([encryptedContent(certificateBags, parameters.certificates, input.password), dataContent([keyBag])], parameters.mac, input.password);
}

export interface Pkcs12TruststoreInput {
  /** `ca.crt`: every certificate becomes a trusted entry. */
  ca: PemOrDer;
  password: string;
  profile?: string;
}

/**
 * `truststore.p12` (go-pkcs12's EncodeTrustStore): one encrypted SafeContents of certificates, each
 * marked trusted for any purpose (Java's attribute) and named by its subject.
 */
export function encodePkcs12Truststore(input: Pkcs12TruststoreInput): Buffer {
  const parameters = profiles[pkcs12ProfileOf(input.profile)];
  const bags = parseCertificateBundle(input.ca).map((certificate) =>
    certificateBag(certificate, [
      attribute(OIDS.javaTrustedKeyUsage, new asn1js.ObjectIdentifier({ value: OIDS.anyExtendedKeyUsage })),
      attribute(OIDS.friendlyName, new asn1js.BmpString({ value: certificate.subject })),
    ]),
  );
  return pfx([encryptedContent(bags, parameters.certificates, input.password)], parameters.mac, input.password);
}

function expectedPbmac1(digestAlgorithm: AlgorithmIdentifier, authSafe: Buffer, password: string): Buffer {
  const [kdf, scheme] = childrenOf(parseDer(Buffer.from(digestAlgorithm.parameters ?? new ArrayBuffer(0)), 'KEYSTORE_INVALID', 'PBMAC1 parameters'), 'KEYSTORE_INVALID', 'PBMAC1 parameters');
  const [kdfOid, kdfParams] = childrenOf(kdf!, 'KEYSTORE_INVALID', 'PBMAC1 key derivation');
  const [schemeOid] = childrenOf(scheme!, 'KEYSTORE_INVALID', 'PBMAC1 scheme');
  if (!(kdfOid instanceof asn1js.ObjectIdentifier) || kdfOid.valueBlock.toString() !== OIDS.pbkdf2 || !(schemeOid instanceof asn1js.ObjectIdentifier)) {
    throw new PkiError('KEYSTORE_INVALID', 'PBMAC1 must use PBKDF2 and an HMAC');
  }
  const [salt, iterations, keyLength, prf] = childrenOf(kdfParams!, 'KEYSTORE_INVALID', 'PBKDF2 parameters');
  if (!(keyLength instanceof asn1js.Integer)) throw new PkiError('KEYSTORE_INVALID', 'PBMAC1 requires an explicit PBKDF2 key length');
  const prfOid = prf ? childrenOf(prf, 'KEYSTORE_INVALID', 'PBKDF2 PRF')[0] : undefined;
  const prfHash = prfOid instanceof asn1js.ObjectIdentifier ? hashByHmacOid[prfOid.valueBlock.toString()] : 'sha1';
  const macHash = hashByHmacOid[schemeOid.valueBlock.toString()];
  if (!prfHash || !macHash) throw new PkiError('KEYSTORE_INVALID', 'PBMAC1 uses an unsupported hash');
  if (!salt || !(iterations instanceof asn1js.Integer)) throw new PkiError('KEYSTORE_INVALID', 'PBMAC1 PBKDF2 parameters are malformed');
  const length = keyLength.valueBlock.valueDec;
  if (length < 1 || length > 64) throw new PkiError('KEYSTORE_INVALID', `PBMAC1 key length ${length} is out of range`);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), contentOf(salt, 'KEYSTORE_INVALID', 'PBKDF2 salt'), checkedIterations(iterations.valueBlock.valueDec), length, prfHash);
  return createHmac(macHash, key).update(authSafe).digest();
}

/**
 * Whether `password` verifies the PFX's MAC: classic PKCS#12 HMAC (SHA-1/256/384/512) or PBMAC1.
 * KEYSTORE_INVALID for input that isn't a PFX with a MAC.
 */
export function verifyPkcs12Mac(der: Uint8Array, password: string): boolean {
  const parsed = parsingAs('KEYSTORE_INVALID', 'PKCS#12 keystore', () => AsnConvert.parse(Buffer.from(der), PFX));
  if (!parsed.macData) throw new PkiError('KEYSTORE_INVALID', 'PKCS#12 keystore has no MAC');
  const authSafe = parsingAs('KEYSTORE_INVALID', 'PKCS#12 content', () => Buffer.from(AsnConvert.parse(parsed.authSafe.content, OctetString).buffer));
  const { digestAlgorithm, digest } = parsed.macData.mac;
  let expected: Buffer;
  if (digestAlgorithm.algorithm === OIDS.pbmac1) {
    expected = expectedPbmac1(digestAlgorithm, authSafe, password);
  } else {
    const hash = hashByDigestOid[digestAlgorithm.algorithm];
    if (!hash) throw new PkiError('KEYSTORE_INVALID', `unsupported PKCS#12 MAC algorithm ${digestAlgorithm.algorithm}`);
    const key = pkcs12Kdf(password, Buffer.from(parsed.macData.macSalt.buffer), 3, checkedIterations(parsed.macData.iterations), hashLength[hash], hash);
    expected = createHmac(hash, key).update(authSafe).digest();
  }
  const actual = Buffer.from(digest.buffer);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
