/**
 * What a Certificate's target Secret holds, decoded once per reconcile so every policy check reads
 * the same typed facts instead of parsing `tls.key` and `tls.crt` again.
 */
import type { KeyObject } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { parseCertificateChain, parsePrivateKey, publicKeysEqual, type CertificateInfo } from '../../pki/index.js';
import { TLS_CA_KEY, TLS_CERTIFICATE_KEY, TLS_PRIVATE_KEY_KEY } from '../../api/well-known.js';

/** One data entry of the Secret: absent, present but empty, present but unusable, or decoded. */
export type DecodedEntry<T> =
  | { status: 'missing' }
  | { status: 'empty' }
  | { status: 'undecodable'; error: string }
  | ({ status: 'parsed'; pem: string } & T);

export interface CertificateChain {
  /** The first certificate of `tls.crt`: the one issued for the Certificate. */
  leaf: CertificateInfo;
  /** Every certificate of `tls.crt`, leaf first. */
  chain: CertificateInfo[];
}

export interface AbsentSecret {
  exists: false;
}

export interface PresentSecret {
  exists: true;
  secret: V1Secret;
  /** Whether `data` has any entry at all. */
  hasData: boolean;
  privateKey: DecodedEntry<{ key: KeyObject }>;
  certificate: DecodedEntry<CertificateChain>;
  /** `ca.crt` as stored (PEM text), when present and non-empty. */
  caPem?: string;
  /** Whether the private key and the leaf certificate hold the same public key; undefined unless both decoded. */
  keyMatchesCertificate?: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type SecretState = AbsentSecret | PresentSecret;

/** Raw bytes of a Secret data entry (base64 in the API object); undefined when the key is absent. */
export function secretDataBytes(secret: V1Secret | undefined, key: string): Buffer | undefined {
  const value = secret?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}

/**
 * Parsed private keys by Secret uid, resourceVersion and data key. A version of a Secret never
 * changes, and an issuance reads its next key in every reconcile (deciding whether the key is
 * usable, then signing the CSR with it) and the issued Secret's key again: one parse per version
 * instead. Bounded; the least recently used entry goes first.
 */
const parsedKeys = new Map<string, KeyObject>();
const MAX_PARSED_KEYS = 2048;

function parsedKeyId(secret: V1Secret, dataKey: string): string | undefined {
  const { uid, resourceVersion } = secret.metadata ?? {};
  return uid && resourceVersion ? `${uid}/${resourceVersion}/${dataKey}` : undefined;
}

function rememberParsedKey(id: string, key: KeyObject): void {
  parsedKeys.delete(id);
  parsedKeys.set(id, key);
  if (parsedKeys.size > MAX_PARSED_KEYS) parsedKeys.delete(parsedKeys.keys().next().value!);
}

/**
 * The private key in `dataKey` of `secret` (its PEM text is `pem`), parsed once per Secret version.
 * Throws a PkiError when it does not parse (failures are not remembered).
 */
export function secretPrivateKey(secret: V1Secret, pem: string, dataKey: string = TLS_PRIVATE_KEY_KEY): KeyObject {
  const id = parsedKeyId(secret, dataKey);
  const cached = id === undefined ? undefined : parsedKeys.get(id);
  if (cached) {
    rememberParsedKey(id!, cached);
    return cached;
  }
  const key = parsePrivateKey(pem);
  if (id !== undefined) rememberParsedKey(id, key);
  return key;
}

/**
 * Records that `secret` (as the API returned it after a write of ours) holds `key` in `dataKey`, so
 * the version that reaches the cache is not parsed again. Only for keys this controller wrote.
 */
export function rememberSecretPrivateKey(secret: V1Secret, key: KeyObject, dataKey: string = TLS_PRIVATE_KEY_KEY): void {
  const id = parsedKeyId(secret, dataKey);
  if (id !== undefined) rememberParsedKey(id, key);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function decodeEntry<T>(bytes: Buffer | undefined, decode: (pem: string) => T): DecodedEntry<T> {
  if (bytes === undefined) return { status: 'missing' };
  if (bytes.length === 0) return { status: 'empty' };
  const pem = bytes.toString('utf8');
  try {
    return { status: 'parsed', pem, ...decode(pem) };
  } catch (e) {
    // pki errors never echo input, so the message is safe to surface in conditions and events.
    return { status: 'undecodable', error: errorMessage(e) };
  }
}

function decodeChain(pem: string): CertificateChain {
  const chain = parseCertificateChain(pem);
  return { leaf: chain[0]!, chain };
}

export function inspectSecret(secret?: V1Secret): SecretState {
  if (!secret) return { exists: false };
  const privateKey = decodeEntry(secretDataBytes(secret, TLS_PRIVATE_KEY_KEY), (pem) => ({ key: secretPrivateKey(secret, pem) }));
  const certificate = decodeEntry(secretDataBytes(secret, TLS_CERTIFICATE_KEY), decodeChain);
  const ca = secretDataBytes(secret, TLS_CA_KEY);
  const keyMatchesCertificate =
    privateKey.status === 'parsed' && certificate.status === 'parsed' ? publicKeysEqual(privateKey.key, certificate.leaf) : undefined;
  return {
    exists: true,
    secret,
    hasData: Object.keys(secret.data ?? {}).length > 0,
    privateKey,
    certificate,
    ...(ca && ca.length > 0 ? { caPem: ca.toString('utf8') } : {}),
    ...(keyMatchesCertificate === undefined ? {} : { keyMatchesCertificate }),
    labels: { ...secret.metadata?.labels },
    annotations: { ...secret.metadata?.annotations },
  };
}
