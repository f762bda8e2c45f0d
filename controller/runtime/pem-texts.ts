/**
 * Base64 PEM texts kept as their DER bytes in the caches. An owned Secret's `tls.crt` and `tls.key`
 * and a CertificateRequest's `spec.request` are ~1.8 KiB of base64 per Certificate (~18 MiB at 10k);
 * their DER is ~0.5 of that. Readers still see the text: the record holding them is a Proxy that
 * re-encodes an entry on every read (own keys, enumeration, spreads and JSON included). A text is
 * kept compact only when re-encoding gives back exactly the text that was read, so no reader ever
 * sees other text than the API server sent for that version.
 */
import { decodePemBlocks, encodePem } from '../../pki/pem.js';

/**
 * The compact form: a marker base64 never holds, then per PEM block its label's length (one
 * character), the label, the DER's length (three characters, 24 bits) and the DER, one byte per
 * character (a one-byte string: its V8 size is its length).
 */
const COMPACT_MARKER = '\0';
/** Shorter texts gain less than the Proxy costs. */
const MIN_COMPACTED_LENGTH = 256;
/** Larger texts (bundles) are rare and left as they are; the compact form's lengths are 24-bit. */
const MAX_COMPACTED_LENGTH = 1 << 20;

function compactForm(blocks: ReadonlyArray<{ label: string; der: Buffer }>): string | undefined {
  let compact = COMPACT_MARKER;
  for (const { label, der } of blocks) {
    if (label.length > 0xff || der.length > 0xffffff) return undefined;
    const length = String.fromCharCode(der.length >>> 16, (der.length >>> 8) & 0xff, der.length & 0xff);
    compact += String.fromCharCode(label.length) + label + length + der.toString('latin1');
  }
  return compact;
}

/**
 * The last few expansions: a reconcile reads the same texts several times over (decoding the Secret,
 * its chain, the upkeep checks, two policy checks of the CSR), and each expansion is ~2 µs.
 */
const recentExpansions: Array<{ compact: string; text: string }> = [];
const RECENT_EXPANSIONS = 4;

/** The base64 PEM text a compact form stands for. */
export function expandedText(compact: string): string {
  const recent = recentExpansions.find((entry) => entry.compact === compact);
  if (recent) return recent.text;
  const text = expansionOf(compact);
  if (recentExpansions.unshift({ compact, text }) > RECENT_EXPANSIONS) recentExpansions.pop();
  return text;
}

function expansionOf(compact: string): string {
  let pem = '';
  for (let at = COMPACT_MARKER.length; at < compact.length; ) {
    const labelLength = compact.charCodeAt(at);
    const label = compact.slice(at + 1, at + 1 + labelLength);
    at += 1 + labelLength;
    const derLength = (compact.charCodeAt(at) << 16) | (compact.charCodeAt(at + 1) << 8) | compact.charCodeAt(at + 2);
    at += 3;
    pem += encodePem(Buffer.from(compact.slice(at, at + derLength), 'latin1'), label);
    at += derLength;
  }
  return Buffer.from(pem, 'utf8').toString('base64');
}

/** `text` (base64 of PEM) in compact form, or undefined when that would not give back the same text. */
export function compactText(text: string): string | undefined {
  if (text.length < MIN_COMPACTED_LENGTH || text.length > MAX_COMPACTED_LENGTH) return undefined;
  let compact: string | undefined;
  try {
    compact = compactForm(decodePemBlocks(Buffer.from(text, 'base64').toString('utf8'), { maxBytes: MAX_COMPACTED_LENGTH, what: 'cached text' }));
  } catch {
    return undefined;
  }
  return compact !== undefined && expandedText(compact) === text ? compact : undefined;
}

const isCompact = (value: unknown): value is string => typeof value === 'string' && value.startsWith(COMPACT_MARKER);

/** Reads of a record whose compact entries are expanded; everything else goes to the record as it is. */
const expandingReads: ProxyHandler<Record<string, unknown>> = {
  get(target, key, receiver) {
    const value: unknown = Reflect.get(target, key, receiver);
    return isCompact(value) ? expandedText(value) : value;
  },
  // As an accessor, so listing the keys (Object.keys asks for every descriptor) expands nothing;
  // reading the value goes through `get`. Allowed: the target's properties are configurable.
  getOwnPropertyDescriptor(target, key) {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
    if (!descriptor || !isCompact(descriptor.value)) return descriptor;
    const compact = descriptor.value;
    return { get: () => expandedText(compact), enumerable: descriptor.enumerable, configurable: true };
  },
};

/**
 * `record` with the base64 PEM texts at `keys` kept compact (see above), or `record` itself when
 * none of them can be. The copy is made from `record` (which is left as it was).
 */
export function withCompactTexts<T extends object>(record: T, keys: readonly string[]): T {
  const entries = record as Record<string, unknown>;
  let compacted: Record<string, unknown> | undefined;
  for (const key of keys) {
    const text = entries[key];
    const compact = typeof text === 'string' ? compactText(text) : undefined;
    if (compact !== undefined) (compacted ??= { ...entries })[key] = compact;
  }
  return compacted === undefined ? record : (new Proxy(compacted, expandingReads) as T);
}
