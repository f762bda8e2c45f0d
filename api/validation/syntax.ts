/**
 * Syntax checks for single values, with Kubernetes' and Go's own wording where they have one
 * (`k8s.io/apimachinery/pkg/util/validation`, `net.ParseIP`, `net/mail`, `time.LoadLocation`).
 * Each returns the problems found; an empty list means the value is fine.
 */
import { isIP } from 'node:net';
import { ipToBytes } from '../../pki/index.js';
import { cidrToBytes } from '../../pki/ip-addresses.js';
import { invalid, type FieldError } from '../field-errors.js';
import { cronExpressionParser, cronForParser, validateCronDetailed } from '../cron.js';

function regexError(message: string, regex: string, ...examples: string[]): string {
  const eg = examples.map((e) => `'${e}', `).join(' or ');
  return `${message} (e.g. ${eg}regex used for validation is '${regex}')`;
}

const maxLenError = (n: number) => `must be no more than ${n} characters`;

const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

/** `IsDNS1123Subdomain`: what Secret, IngressClass and most object names must be. */
export function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    problems.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return problems;
}

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** `IsQualifiedName`: label and annotation keys, `[prefix/]name`. */
export function qualifiedNameProblems(value: string): string[] {
  const problems: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') problems.push('prefix part must be non-empty');
    else problems.push(...dns1123SubdomainProblems(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME.test(name)) {
    problems.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return problems;
}

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** `IsValidLabelValue`. */
export function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push(maxLenError(63));
  if (!LABEL_VALUE.test(value)) {
    problems.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return problems;
}

/** `ValidateLabels`: errors are reported on the map's path, as Kubernetes does. */
export function validateLabels(labels: Record<string, string>, field: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(labels).sort()) {
    for (const m of qualifiedNameProblems(key)) errors.push(invalid(field, key, m));
    for (const m of labelValueProblems(labels[key]!)) errors.push(invalid(field, labels[key], m));
  }
  return errors;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** `ValidateAnnotations`: keys are qualified names (case-insensitively); 256 KiB in total. */
export function validateAnnotations(annotations: Record<string, string>, field: string): FieldError[] {
  const errors: FieldError[] = [];
  let total = 0;
  for (const key of Object.keys(annotations).sort()) {
    for (const m of qualifiedNameProblems(key.toLowerCase())) errors.push(invalid(field, key, m));
    total += Buffer.byteLength(key) + Buffer.byteLength(annotations[key]!);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push({ type: 'FieldValueTooLong', field, detail: `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return errors;
}

/** Like Go's `net.ParseIP`: an IPv4 or IPv6 address, no zone, no brackets — what pki/ can encode. */
export function isIPAddress(value: string): boolean {
  return ipToBytes(value) !== undefined;
}

/** Like Go's `net.ParseCIDR`: `address/prefix` within the address family's bits — what pki/ can encode. */
export function isCIDR(value: string): boolean {
  return cidrToBytes(value) !== undefined;
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uffff-]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED_STRING = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const DOMAIN_LITERAL = '\\[[^\\[\\]\\\\\\s]*\\]';
const ADDR_SPEC = new RegExp(`^(?:${DOT_ATOM}|${QUOTED_STRING})@(?:${DOT_ATOM}|${DOMAIN_LITERAL})$`);
const NAME_ADDR = /^[^<>]*<([^<>]+)>\s*$/;

/**
 * Problem with an email SAN, which must be a bare RFC 5322 addr-spec (`net/mail.ParseAddress`
 * with no display name), or undefined when it is one.
 */
export function emailAddressProblem(value: string): string | undefined {
  if (ADDR_SPEC.test(value)) return undefined;
  const named = NAME_ADDR.exec(value);
  if (named && ADDR_SPEC.test(named[1]!.trim())) {
    return 'invalid email address: make sure the supplied value only contains the email address itself';
  }
  if (!value.includes('@')) return "invalid email address: mail: missing '@' or angle-addr";
  return 'invalid email address: mail: not a valid RFC 5322 address';
}

/** A dotted-decimal object identifier with at least two arcs, first arc 0, 1 or 2. */
export function isObjectIdentifier(value: string): boolean {
  return /^[0-2](\.(0|[1-9]\d*))+$/.test(value);
}

/** An absolute URI (`scheme:…`), as a URI SAN needs. */
export function isAbsoluteURI(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) || /\s/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** An http(s) URL with a host. */
export function isHttpURL(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.host !== '';
  } catch {
    return false;
  }
}

/**
 * Whether Go's `time.LoadLocation` would load this IANA zone name: known to the ICU time zone
 * database and spelled with the exact case of the zone file.
 */
export function isTimezone(value: string): boolean {
  if (value === 'UTC') return true;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  if (resolved === value || Intl.supportedValuesOf('timeZone').includes(value)) return true;
  // An alias (US/Eastern → America/New_York) is fine; a miscased canonical name is not.
  return resolved.toLowerCase() !== value.toLowerCase();
}

/**
 * Problem with a five-field cron expression (minute hour day-of-month month day-of-week), or
 * undefined. Descriptors such as `@daily` and a seconds field are not accepted, like
 * robfig/cron with `Minute | Hour | Dom | Month | Dow`.
 */
export function cronProblem(value: string): string | undefined {
  const fields = value.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${JSON.stringify(value)}`;
  const result = validateCronDetailed(fields.join(' '));
  if (!result.valid) return result.errors.map((e) => e.message).join('; ');
  // The renewal windows are computed with cron-parser: accept only what it can schedule too.
  try {
    cronExpressionParser().parse(cronForParser(value), { tz: 'UTC' });
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

const HOSTNAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Whether `host[:port]` names a DNS server: an IPv4 address, a bracketed IPv6 address (a bare one
 * only without port) or a hostname, with an optional port 1–65535.
 */
export function isHostPort(value: string): boolean {
  if (isIPAddress(value) && isIP(value) === 6) return true;
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match) return false;
  const host = match[1]!;
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  if (host.startsWith('[')) return isIP(host.slice(1, -1)) === 6 && !host.includes('%');
  return isIPAddress(host) || HOSTNAME.test(host);
}
