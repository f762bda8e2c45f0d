import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { parseCertificateBundle, parseCertificateChain, type CertificateInfo } from './certificates.js';
import type { PemOrDer } from './pem.js';

/**
 * Java KeyStore (JKS) writer, the format cert-manager produces with keystore-go: big-endian
 * records, the private key hidden by Sun's KeyProtector, and a SHA-1 integrity digest keyed by
 * the password. No maintained npm library writes JKS, and the format is small.
 */

const MAGIC = 0xfeedfeed;
const VERSION = 2;
const PRIVATE_KEY_ENTRY = 1;
const TRUSTED_CERT_ENTRY = 2;
/** Sun's KeyProtector algorithm OID. */
const KEY_PROTECTOR_OID = '1.3.6.1.4.1.42.2.17.1.1';
const INTEGRITY_SALT = Buffer.from('Mighty Aphrodite', 'utf8');

export const DEFAULT_JKS_ALIAS = 'certificate';

/** Java's password bytes: each UTF-16 code unit, big-endian. */
function passwordBytes(password: string): Buffer {
  const bytes = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) bytes.writeUInt16BE(password.charCodeAt(i), i * 2);
  return bytes;
}

function sha1(...parts: Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Sun's KeyProtector: the PKCS#8 key XORed with a SHA-1 stream seeded by a random salt, framed as
 * salt ‖ ciphertext ‖ SHA-1(password ‖ key), inside an EncryptedPrivateKeyInfo.
 */
function protectKey(pkcs8: Buffer, password: Buffer): Buffer {
  const salt = randomBytes(20);
  const stream: Buffer[] = [];
  let digest: Buffer = salt;
  for (let produced = 0; produced < pkcs8.length; produced += digest.length) {
    digest = sha1(password, digest);
    stream.push(digest);
  }
  const keystream = Buffer.concat(stream);
  const encrypted = Buffer.from(pkcs8.map((b, i) => b ^ keystream[i]!));
  const protectedKey = Buffer.concat([salt, encrypted, sha1(password, pkcs8)]);
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: KEY_PROTECTOR_OID }), new asn1js.Null()] }),
      new asn1js.OctetString({ valueHex: protectedKey }),
    ],
  });
  return Buffer.from(info.toBER(false));
}

/** Appends big-endian fields; Java's DataOutputStream encoding. */
class JksWriter {
  private readonly parts: Buffer[] = [];
  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    this.parts.push(b);
    return this;
  }
  u64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(value));
    this.parts.push(b);
    return this;
  }
  /** writeUTF: 2-byte length then (modified) UTF-8; aliases and "X.509" are plain text. */
  utf(text: string): this {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    this.parts.push(length, bytes);
    return this;
  }
  bytes(value: Buffer): this {
    this.u32(value.length);
    this.parts.push(value);
    return this;
  }
  certificate(certificate: CertificateInfo): this {
    return this.utf('X.509').bytes(certificate.der);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

type Entry =
  | { kind: 'key'; alias: string; key: Buffer; chain: CertificateInfo[] }
  | { kind: 'trusted'; alias: string; certificate: CertificateInfo };

/** cert-manager's CA aliases: `ca`, then `ca-1`, `ca-2`, … */
function caEntries(cas: readonly CertificateInfo[]): Entry[] {
  return cas.map((certificate, i) => ({ kind: 'trusted', alias: i === 0 ? 'ca' : `ca-${i}`, certificate }));
}

function encodeJks(entries: Entry[], password: string, createdAt: Date): Buffer {
  const passwordBuffer = passwordBytes(password);
  // JKS aliases are case-insensitive and stored lower-case; keystore-go writes them in sorted order.
  const sorted = entries.map((e) => ({ ...e, alias: e.alias.toLowerCase() })).sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  const writer = new JksWriter().u32(MAGIC).u32(VERSION).u32(sorted.length);
  for (const entry of sorted) {
    if (entry.kind === 'key') {
      writer.u32(PRIVATE_KEY_ENTRY).utf(entry.alias).u64(createdAt.getTime()).bytes(protectKey(entry.key, passwordBuffer)).u32(entry.chain.length);
      for (const certificate of entry.chain) writer.certificate(certificate);
    } else {
      writer.u32(TRUSTED_CERT_ENTRY).utf(entry.alias).u64(createdAt.getTime()).certificate(entry.certificate);
    }
  }
  const body = writer.toBuffer();
  return Buffer.concat([body, sha1(passwordBuffer, INTEGRITY_SALT, body)]);
}

export interface JksKeystoreInput {
  privateKey: KeyObject;
  /** `tls.crt`: leaf then chain, stored as the key entry's chain. */
  certificate: PemOrDer;
  /** `ca.crt`, if any: each certificate a trusted entry. */
  ca?: PemOrDer;
  password: string;
  /** Default `certificate`. */
  alias?: string;
  /** Entry creation time; default now. */
  now?: Date;
}

/** `keystore.jks`: the key with its chain under `alias`, CA certificates as `ca`, `ca-1`, … */
export function encodeJksKeystore(input: JksKeystoreInput): Buffer {
  const key: Entry = {
    kind: 'key',
    alias: input.alias || DEFAULT_JKS_ALIAS,
    key: input.privateKey.export({ format: 'der', type: 'pkcs8' }),
    chain: parseCertificateChain(input.certificate),
  };
  const cas = input.ca ? parseCertificateBundle(input.ca) : [];
  return encodeJks([key, ...caEntries(cas)], input.password, input.now ?? new Date());
}

export interface JksTruststoreInput {
  ca: PemOrDer;
  password: string;
  now?: Date;
}

/** `truststore.jks`: the CA certificates as trusted entries `ca`, `ca-1`, … */
export function encodeJksTruststore(input: JksTruststoreInput): Buffer {
  return encodeJks(caEntries(parseCertificateBundle(input.ca)), input.password, input.now ?? new Date());
}
