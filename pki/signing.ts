import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { PkiError } from './errors.js';
import { parseCertificate, parseCertificateBundle, parseCertificateChain, type CertificateInfo } from './certificates.js';
import { bundleChain, orderChain, type ChainBundle } from './chains.js';
import { parseCsr, verifyCsrSignature, type CsrInfo } from './csr.js';
import { EXTENSION_OID, subjectIsEmpty } from './extensions.js';
import { assertSameKey } from './keys.js';
import type { PemOrDer } from './pem.js';
import { signatureAlgorithmFor, webCryptoSigner } from './signature-algorithms.js';
import { computeUsages, encodeExtKeyUsage, encodeKeyUsage, type Usages } from './usages.js';
import { x509 } from './x509.js';

/** What the CertificateRequest (and the issuer) decide, beyond what the CSR carries. */
export interface CertificateTemplate {
  /** Lifetime in milliseconds; default 90 days (cert-manager's 2160h). */
  durationMs?: number;
  isCA?: boolean;
  /** cert-manager usage names; default digital signature + key encipherment. */
  usages?: readonly string[];
  crlDistributionPoints?: readonly string[];
  ocspServers?: readonly string[];
  issuingCertificateUrls?: readonly string[];
  /** NotBefore; default the current time. */
  now?: Date;
}

export interface CaSigner {
  /** The issuing CA certificate (`tls.crt` of the CA Secret), optionally followed by its chain. */
  certificate: PemOrDer;
  privateKey: KeyObject;
  /** More of the CA's chain (`ca.crt` of the CA Secret), used to find the root-most certificate. */
  caBundle?: PemOrDer;
}

export interface SignedCertificate extends ChainBundle {
  certificate: CertificateInfo;
}

export const DEFAULT_DURATION_MS = 90 * 24 * 60 * 60 * 1000;

interface Wanted {
  isCA: boolean;
  usages: Usages;
}

/** cert-manager's template validators: what the CSR states must agree with the request. */
const requestChecks: Array<(csr: CsrInfo, wanted: Wanted) => string | undefined> = [
  function basicConstraintsMatch(csr, wanted) {
    return csr.hasBasicConstraints && csr.isCA !== wanted.isCA ? 'request contains a CA basicConstraint that does not match the requested isCA value' : undefined;
  },
  function keyUsagesMatch(csr, wanted) {
    return csr.keyUsage !== 0 && csr.keyUsage !== wanted.usages.keyUsage ? 'the key usages in the request do not match the requested usages' : undefined;
  },
  function extKeyUsagesMatch(csr, wanted) {
    const requested = [...csr.extKeyUsages].sort().join();
    return csr.extKeyUsages.length > 0 && requested !== [...wanted.usages.extKeyUsages].sort().join()
      ? 'the extended key usages in the request do not match the requested usages'
      : undefined;
  },
];

/** RFC 5280 key identifier method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): string {
  const bits = AsnConvert.parse(spki, SubjectPublicKeyInfo).subjectPublicKey;
  return createHash('sha1').update(Buffer.from(bits)).digest('hex');
}

interface ExtensionContext {
  csr: CsrInfo;
  wanted: Wanted;
  template: CertificateTemplate;
  /** undefined when self-signed. */
  issuer?: CertificateInfo;
}

/** Each returns one extension of the issued certificate (or none), in Go's order. */
const certificateExtensions: Array<(c: ExtensionContext) => x509.Extension | undefined> = [
  ({ wanted }) => (wanted.usages.keyUsage ? new x509.Extension(EXTENSION_OID.keyUsage, true, encodeKeyUsage(wanted.usages.keyUsage)) : undefined),
  ({ wanted }) =>
    wanted.usages.extKeyUsages.length ? new x509.Extension(EXTENSION_OID.extKeyUsage, false, encodeExtKeyUsage(wanted.usages.extKeyUsages)) : undefined,
  ({ wanted }) => new x509.BasicConstraintsExtension(wanted.isCA, undefined, true),
  ({ csr }) => new x509.SubjectKeyIdentifierExtension(keyIdentifier(csr.publicKeyDer)),
  ({ issuer }) => (issuer?.subjectKeyId ? new x509.AuthorityKeyIdentifierExtension(issuer.subjectKeyId.toString('hex')) : undefined),
  ({ template }) =>
    template.ocspServers?.length || template.issuingCertificateUrls?.length
      ? new x509.AuthorityInfoAccessExtension({ ocsp: [...(template.ocspServers ?? [])], caIssuers: [...(template.issuingCertificateUrls ?? [])] })
      : undefined,
  ({ csr }) => {
    const san = csr.extensions.get(EXTENSION_OID.subjectAltName);
    return san ? new x509.Extension(EXTENSION_OID.subjectAltName, subjectIsEmpty(csr), san.value) : undefined;
  },
  ({ csr }) => {
    const constraints = csr.extensions.get(EXTENSION_OID.nameConstraints);
    return constraints ? new x509.Extension(EXTENSION_OID.nameConstraints, constraints.critical, constraints.value) : undefined;
  },
  ({ template }) => (template.crlDistributionPoints?.length ? new x509.CRLDistributionPointsExtension([...template.crlDistributionPoints]) : undefined),
];

async function checkedRequest(request: PemOrDer | CsrInfo): Promise<CsrInfo> {
  const csr = typeof request === 'string' || request instanceof Uint8Array ? parseCsr(request) : request;
  await verifyCsrSignature(csr);
  return csr;
}

function wantedFrom(csr: CsrInfo, template: CertificateTemplate): Wanted {
  const wanted = { isCA: template.isCA ?? false, usages: computeUsages(template.usages, template.isCA) };
  const problem = requestChecks.map((check) => check(csr, wanted)).find(Boolean);
  if (problem) throw new PkiError('TEMPLATE_INVALID', problem);
  return wanted;
}

async function issue(csr: CsrInfo, template: CertificateTemplate, signingKey: KeyObject, issuer: CertificateInfo | undefined): Promise<CertificateInfo> {
  const durationMs = template.durationMs ?? DEFAULT_DURATION_MS;
  if (!(durationMs > 0)) throw new PkiError('TEMPLATE_INVALID', `certificate duration must be positive, got ${durationMs}ms`);
  const notBefore = template.now ?? new Date();
  const context: ExtensionContext = { csr, wanted: wantedFrom(csr, template), template, ...(issuer ? { issuer } : {}) };
  const signer = await webCryptoSigner(signingKey, signatureAlgorithmFor(signingKey));
  const certificate = await x509.X509CertificateGenerator.create({
    // cert-manager draws serials uniformly below 2^128.
    serialNumber: randomBytes(16).toString('hex'),
    subject: new x509.Name(csr.rawSubject),
    issuer: new x509.Name(issuer ? issuer.rawSubject : csr.rawSubject),
    notBefore,
    notAfter: new Date(notBefore.getTime() + durationMs),
    publicKey: csr.publicKeyDer,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: signer.algorithm,
    extensions: certificateExtensions.map((build) => build(context)).filter((e): e is x509.Extension => e !== undefined),
  });
  return parseCertificate(Buffer.from(certificate.rawData));
}

/**
 * Signs `request` with a CA (cert-manager's CA issuer): the CA key must match the CA certificate,
 * the CSR signature must verify, and the result carries the CA's chain.
 */
export async function signCertificate(request: PemOrDer | CsrInfo, template: CertificateTemplate, ca: CaSigner): Promise<SignedCertificate> {
  const [issuer, ...issuerChain] = parseCertificateChain(ca.certificate);
  assertSameKey(ca.privateKey, issuer!, 'CA private key and CA certificate');
  const csr = await checkedRequest(request);
  const certificate = await issue(csr, template, ca.privateKey, issuer);
  const known = [...issuerChain, ...(ca.caBundle ? parseCertificateBundle(ca.caBundle) : [])];
  return { certificate, ...bundleChain(orderChain(certificate, [issuer!, ...known])) };
}

/** Signs `request` with its own key (cert-manager's SelfSigned issuer); the key must match the CSR. */
export async function selfSignCertificate(request: PemOrDer | CsrInfo, template: CertificateTemplate, privateKey: KeyObject): Promise<SignedCertificate> {
  const csr = await checkedRequest(request);
  assertSameKey(privateKey, csr, 'private key and certificate request');
  const certificate = await issue(csr, template, privateKey, undefined);
  return { certificate, ...bundleChain([certificate]) };
}
