/**
 * Whether what was asked for (a CertificateRequest, or failing that the issued certificate) still
 * matches a Certificate's spec — cert-manager's `RequestMatchesSpec`, `FuzzyX509AltNamesMatchSpec`
 * and `PrivateKeyMatchesSpec` (`pkg/util/pki/match.go`). Each returns the spec field paths that
 * differ, so messages can name them.
 */
import type { KeyObject } from 'node:crypto';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import { issuerRefWithDefaults } from '../../api/defaults.js';
import { parseDuration } from '../../api/duration.js';
import { LruCache } from '../runtime/lru.js';
import { parsedRequestCsr } from '../../issuers/signing-request.js';
import {
  ipToBytes,
  isPkiError,
  parseLiteralSubject,
  privateKeyMatchesSpec as keyMatchesKeySpec,
  type CertificateInfo,
  type CsrInfo,
  type RdnSequence,
} from '../../pki/index.js';

/**
 * Parsed CSRs by CertificateRequest uid, with the `spec.request` they were parsed from (a
 * request's spec is immutable, but the text is compared anyway). Every reconcile of an issuing
 * Certificate checks its next request's CSR, and every readiness check its current one: parsing
 * and verifying it each time cost ~70 µs. Bounded; the least recently used entry goes first.
 * A parsed CSR is ~3.7 KiB (its DER and extension buffers) and requests this process built are
 * read unparsed while they issue (`parsedRequestCsr`), so 256, not more: at 10k any size is
 * flushed by one pass of the work queue, and 1,024 held 3.8 MiB for it.
 */
const parsedCsrs = new LruCache<string, { request: string; csr: CsrInfo }>(256);

/** Parses a CertificateRequest's CSR (once per request); throws a PkiError naming what is wrong. */
export function parseRequestCsr(request: CertificateRequest): CsrInfo {
  const uid = request.metadata.uid;
  const text = request.spec.request ?? '';
  const cached = uid === undefined ? undefined : parsedCsrs.get(uid);
  if (cached?.request === text) return cached.csr;
  const csr = parsedRequestCsr(request);
  if (uid !== undefined) parsedCsrs.set(uid, { request: text, csr });
  return csr;
}

/** Multiset equality: same members, same counts, any order (Go's `EqualUnsorted`). */
function equalUnsorted(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = [...(a ?? [])].sort();
  const right = [...(b ?? [])].sort();
  return left.length === right.length && left.every((v, i) => v === right[i]);
}

/** IPs compared as addresses, so `::ffff:10.0.0.1` equals `10.0.0.1`; unparsable text stays text. */
function equalIPsUnsorted(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const normalise = (ip: string) => ipToBytes(ip)?.toString('hex') ?? `invalid:${ip}`;
  return equalUnsorted((a ?? []).map(normalise), (b ?? []).map(normalise));
}

/** RDN sequences equal attribute for attribute; members of a multi-valued RDN in any order. */
function equalRdnSequences(a: RdnSequence, b: RdnSequence): boolean {
  const key = (rdns: RdnSequence) => JSON.stringify(rdns.map((rdn) => rdn.map((atv) => `${atv.type}=${atv.value}`).sort()));
  return key(a) === key(b);
}

function durationsDiffer(a: string, b: string): boolean {
  try {
    return parseDuration(a) !== parseDuration(b);
  } catch {
    return a !== b;
  }
}

/**
 * Spec fields a CertificateRequest no longer matches (§2.4): SANs, subject (fields, or the raw
 * RDNs with `literalSubject`), isCA, usages, duration (when both are set) and issuerRef. Key
 * parameters, name constraints, signature algorithm and output settings are not compared.
 * Throws a PkiError when the request's CSR (or the spec's literal subject) cannot be parsed.
 */
export function requestMatchesSpec(request: CertificateRequest, certificate: Certificate): string[] {
  const csr = parseRequestCsr(request);
  const spec = certificate.spec;
  const subject = spec.subject ?? {};
  const violations: string[] = [];
  const check = (matches: boolean, path: string) => {
    if (!matches) violations.push(path);
  };

  check(equalIPsUnsorted(csr.ipAddresses, spec.ipAddresses), 'spec.ipAddresses');
  check(equalUnsorted(csr.uris, spec.uris), 'spec.uris');
  check(equalUnsorted(csr.emailAddresses, spec.emailAddresses), 'spec.emailAddresses');
  check(equalUnsorted(csr.dnsNames, spec.dnsNames), 'spec.dnsNames');
  if (spec.otherNames?.length) {
    const asText = (names: ReadonlyArray<{ oid?: string; utf8Value?: string }>) => names.map((n) => `${n.oid}=${n.utf8Value ?? ''}`);
    check(equalUnsorted(asText(csr.otherNames), asText(spec.otherNames)), 'spec.otherNames');
  }

  if (!spec.literalSubject) {
    const fields = csr.subjectFields;
    check(fields.commonName === (spec.commonName ?? ''), 'spec.commonName');
    check(fields.serialNumber === (subject.serialNumber ?? ''), 'spec.subject.serialNumber');
    check(equalUnsorted(fields.organizations, subject.organizations), 'spec.subject.organizations');
    check(equalUnsorted(fields.countries, subject.countries), 'spec.subject.countries');
    check(equalUnsorted(fields.localities, subject.localities), 'spec.subject.localities');
    check(equalUnsorted(fields.organizationalUnits, subject.organizationalUnits), 'spec.subject.organizationalUnits');
    check(equalUnsorted(fields.postalCodes, subject.postalCodes), 'spec.subject.postalCodes');
    check(equalUnsorted(fields.provinces, subject.provinces), 'spec.subject.provinces');
    check(equalUnsorted(fields.streetAddresses, subject.streetAddresses), 'spec.subject.streetAddresses');
  } else {
    check(equalRdnSequences(csr.subjectRdns, parseLiteralSubject(spec.literalSubject)), 'spec.literalSubject');
  }

  check((request.spec.isCA ?? false) === (spec.isCA ?? false), 'spec.isCA');
  check(equalUnsorted(request.spec.usages, spec.usages), 'spec.usages');
  if (request.spec.duration && spec.duration) check(!durationsDiffer(request.spec.duration, spec.duration), 'spec.duration');
  const requested = issuerRefWithDefaults(request.spec.issuerRef);
  const wanted = issuerRefWithDefaults(spec.issuerRef);
  check(requested.name === wanted.name && requested.kind === wanted.kind && requested.group === wanted.group, 'spec.issuerRef');
  return violations;
}

/**
 * The loose comparison used when the CertificateRequest behind the Secret is gone: names may have
 * moved between the common name and the DNS names (CAs promote one to the other), while IPs, URIs
 * and emails must match exactly. Subject fields are not compared: issuers may override them.
 */
export function issuedCertificateMatchesSpec(leaf: CertificateInfo, certificate: Certificate): string[] {
  const spec = certificate.spec;
  const violations: string[] = [];
  const expectedDnsNames = new Set([...(spec.dnsNames ?? []), ...(spec.commonName ? [spec.commonName] : [])]);
  const issuedDnsNames = new Set([...leaf.dnsNames, ...(leaf.commonName ? [leaf.commonName] : [])]);
  const sameSet = expectedDnsNames.size === issuedDnsNames.size && [...expectedDnsNames].every((n) => issuedDnsNames.has(n));
  if (!sameSet) {
    if ((spec.commonName && !issuedDnsNames.has(spec.commonName)) || (leaf.commonName && !expectedDnsNames.has(leaf.commonName))) {
      violations.push('spec.commonName');
    }
    if ((spec.dnsNames ?? []).some((n) => !issuedDnsNames.has(n)) || leaf.dnsNames.some((n) => !expectedDnsNames.has(n))) {
      violations.push('spec.dnsNames');
    }
  }
  if (!equalIPsUnsorted(leaf.ipAddresses, spec.ipAddresses)) violations.push('spec.ipAddresses');
  if (!equalUnsorted(leaf.uris, spec.uris)) violations.push('spec.uris');
  if (!equalUnsorted(leaf.emailAddresses, spec.emailAddresses)) violations.push('spec.emailAddresses');
  return violations;
}

/**
 * Spec fields `key` does not satisfy: `spec.privateKey.algorithm`, or `spec.privateKey.size`
 * (RSA bits, default 2048; EC curve bits, default 256). An algorithm the spec names but pki does
 * not know counts as an algorithm mismatch.
 */
export function privateKeyMatchesSpec(key: KeyObject, certificate: Certificate): string[] {
  try {
    return keyMatchesKeySpec(key, certificate.spec);
  } catch (e) {
    if (isPkiError(e, 'KEY_SPEC_INVALID')) return ['spec.privateKey.algorithm'];
    throw e;
  }
}
