/**
 * What a Certificate's target Secret holds, decoded once per reconcile so every policy check reads
 * the same typed facts instead of parsing `tls.key` and `tls.crt` again.
 *
 * A state lives as long as its Secret version is cached (one per Certificate), so it keeps only
 * what decisions read: the parsed key and leaf. PEM texts and the whole chain are derived again
 * from the Secret when asked for (only the Secret upkeep check and tests do, once per version).
 */
import type { KeyObject } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { parseCertificateChain, parsePrivateKey, publicKeysEqual, type CertificateInfo } from '../../pki/index.js';
import { NEXT_PRIVATE_KEY_LABEL, TLS_CA_KEY, TLS_CERTIFICATE_KEY, TLS_PRIVATE_KEY_KEY } from '../../api/well-known.js';
import { LruCache } from '../runtime/lru.js';

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
 * instead. Bounded by about what is in issuance at once (`--max-concurrent-issuances`, default
 * 500): a key is native memory (~3.4 KiB), and an issued Secret's key is read again only at its
 * next event, so a larger cache only held up to 7 MiB of keys after a restart's upkeep pass.
 */
const parsedKeys = new LruCache<string, KeyObject>(512);

/**
 * Keys this controller wrote, by the version the API returned, until the cache's copy of that
 * version is first read. With many Certificates issuing, the reconcile after a write comes a whole
 * pass of the work queue later (at 10k, ~10k reconciles that each parse or write keys), long after
 * `parsedKeys` has dropped the key. Bounded for versions that are never read (replaced first).
 */
const writtenKeys = new LruCache<string, { key: KeyObject; written: V1Secret }>(16_384);

/**
 * A next-key Secret is read by every reconcile while its Certificate issues: its key is kept with
 * the cached object itself, and goes when that object is replaced or deleted (after issuance).
 * Issued Secrets are not kept this way: one key per Certificate would stay for good.
 */
const nextKeysBySecret = new WeakMap<V1Secret, KeyObject>();

function parsedKeyId(secret: V1Secret, dataKey: string): string | undefined {
  const { uid, resourceVersion } = secret.metadata ?? {};
  return uid && resourceVersion ? `${uid}/${resourceVersion}/${dataKey}` : undefined;
}

const isNextKeySecret = (secret: V1Secret, dataKey: string) => dataKey === TLS_PRIVATE_KEY_KEY && secret.metadata?.labels?.[NEXT_PRIVATE_KEY_LABEL] === 'true';

/** The key this controller wrote for this version; taken out once read from another object (the cache's copy). */
function writtenKey(id: string, secret: V1Secret): KeyObject | undefined {
  const written = writtenKeys.get(id);
  if (written && written.written !== secret) writtenKeys.delete(id);
  return written?.key;
}

/**
 * The private key in `dataKey` of `secret` (its PEM text is `pem`), parsed once per Secret version.
 * Throws a PkiError when it does not parse (failures are not remembered).
 */
export function secretPrivateKey(secret: V1Secret, pem: string, dataKey: string = TLS_PRIVATE_KEY_KEY): KeyObject {
  const nextKey = isNextKeySecret(secret, dataKey);
  const kept = nextKey ? nextKeysBySecret.get(secret) : undefined;
  if (kept) return kept;
  const id = parsedKeyId(secret, dataKey);
  const known = id === undefined ? undefined : (writtenKey(id, secret) ?? parsedKeys.get(id));
  const key = known ?? parsePrivateKey(pem);
  if (id !== undefined) parsedKeys.set(id, key);
  if (nextKey) nextKeysBySecret.set(secret, key);
  return key;
}

/**
 * Records that `secret` (as the API returned it after a write of ours) holds `key` in `dataKey`, so
 * the version that reaches the cache is not parsed again. Only for keys this controller wrote.
 */
export function rememberSecretPrivateKey(secret: V1Secret, key: KeyObject, dataKey: string = TLS_PRIVATE_KEY_KEY): void {
  const id = parsedKeyId(secret, dataKey);
  if (id === undefined) return;
  parsedKeys.set(id, key);
  writtenKeys.set(id, { key, written: secret });
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Defines `name` on `target` as an enumerable getter (derived on demand, not kept). */
function withGetter<T extends object, V>(target: T, name: string, get: () => V): T {
  return Object.defineProperty(target, name, { get, enumerable: true });
}

/** Entry `dataKey` of `secret`, decoded; the PEM text is read from the Secret again when asked for. */
function decodeEntry<T extends object>(secret: V1Secret, dataKey: string, decode: (pem: string) => T): DecodedEntry<T> {
  const bytes = secretDataBytes(secret, dataKey);
  if (bytes === undefined) return { status: 'missing' };
  if (bytes.length === 0) return { status: 'empty' };
  try {
    const decoded = Object.assign({ status: 'parsed' as const }, decode(bytes.toString('utf8')));
    return withGetter(decoded, 'pem', readEntry(secret, dataKey)) as DecodedEntry<T>;
  } catch (e) {
    // pki errors never echo input, so the message is safe to surface in conditions and events.
    return { status: 'undecodable', error: errorMessage(e) };
  }
}

/**
 * Parsed chains by PEM text, for the few issuances in flight: the reconcile that stores a
 * certificate checks the CertificateRequest's chain, then decodes the Secret it wrote (the same
 * text), and readers of `chain` parse it once more. Each parse is ~0.1 ms per certificate.
 */
const parsedChains = new LruCache<string, CertificateInfo[]>(64);

/** `parseCertificateChain` of `pem`, shared with recent callers that parsed the same text (treat it as read-only). */
export function parsedCertificateChain(pem: string): CertificateInfo[] {
  let chain = parsedChains.get(pem);
  if (!chain) parsedChains.set(pem, (chain = parseCertificateChain(pem)));
  return chain;
}

/** The leaf; every certificate of the chain is parsed (one that does not parse makes it undecodable), the chain kept only while recent. */
function decodeChain(pem: string, readPem: () => string): CertificateChain {
  const leaf = parsedCertificateChain(pem)[0]!;
  return withGetter({ leaf } as CertificateChain, 'chain', () => parsedCertificateChain(readPem()));
}

/** The text of data entry `dataKey`, which the caller knows is there. */
const readEntry = (secret: V1Secret, dataKey: string) => () => secretDataBytes(secret, dataKey)!.toString('utf8');

export function inspectSecret(secret?: V1Secret): SecretState {
  if (!secret) return { exists: false };
  const privateKey = decodeEntry(secret, TLS_PRIVATE_KEY_KEY, (pem) => ({ key: secretPrivateKey(secret, pem) }));
  const certificate = decodeEntry(secret, TLS_CERTIFICATE_KEY, (pem) => decodeChain(pem, readEntry(secret, TLS_CERTIFICATE_KEY)));
  const ca = secretDataBytes(secret, TLS_CA_KEY);
  const keyMatchesCertificate =
    privateKey.status === 'parsed' && certificate.status === 'parsed' ? publicKeysEqual(privateKey.key, certificate.leaf) : undefined;
  const state: PresentSecret = {
    exists: true,
    secret,
    hasData: Object.keys(secret.data ?? {}).length > 0,
    privateKey,
    certificate,
    ...(keyMatchesCertificate === undefined ? {} : { keyMatchesCertificate }),
    // The cached Secret's own maps: cached objects are replaced, never changed.
    labels: secret.metadata?.labels ?? {},
    annotations: secret.metadata?.annotations ?? {},
  };
  return ca && ca.length > 0 ? withGetter(state, 'caPem', readEntry(secret, TLS_CA_KEY)) : state;
}
