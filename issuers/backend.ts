/**
 * The contract every issuer type implements (certmagic-style): `setup` says whether the issuer can
 * sign, `sign` turns one approved CertificateRequest into a certificate. Controllers own the API
 * writes, conditions and events; a backend only reads what it needs through its context.
 */
import type { KubeObject } from '../apiserver/admission.js';
import type { AnyIssuer, CertificateRequest, IssuerStatus } from '../api/types.js';

/** An Issuer or a ClusterIssuer: both share spec and status. */
export type GenericIssuer = AnyIssuer;

/** The members of a core/v1 Secret backends read; `data` values are base64. */
export interface KubeSecret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** The issuer's Ready condition as its backend sees it. */
export interface IssuerReadiness {
  status: 'True' | 'False';
  reason: string;
  message: string;
  /** status.acme to record (the registered ACME account); kept as it is when omitted. */
  acme?: IssuerStatus['acme'];
}

/** A warning to show on the CertificateRequest as an event (e.g. `BadConfig`) while still issuing. */
export interface SignWarning {
  reason: string;
  message: string;
}

export type SignResult =
  | { state: 'issued'; certificatePem: string; caPem?: string; warnings?: SignWarning[] }
  /** Not now, maybe later (a Secret is missing or unreadable): the request stays Pending and is retried. */
  | { state: 'pending'; reason: string; message: string }
  /** Never, for this request: Ready=False reason Failed, failureTime set. */
  | { state: 'failed'; reason: string; message: string };

export interface IssuerContext {
  /** Reads one Secret from the API (or the controller's own cache); undefined when it does not exist. */
  getSecret(namespace: string, name: string): Promise<KubeSecret | undefined>;
  /** Where an issuer's Secrets live: its own namespace, or the cluster resource namespace for ClusterIssuers. */
  resourceNamespace(issuer: GenericIssuer): string;
  /** Clock time in ms (NotBefore of issued certificates). */
  now(): number;
}

/** A Secret an issuer depends on, so controllers can watch it. */
export interface SecretReference {
  namespace: string;
  name: string;
}

export interface IssuerBackend {
  /** Which IssuerSpec member selects this backend, e.g. 'selfSigned', 'ca'. */
  readonly type: string;
  /** Readiness: verify config/credentials; returns the Ready condition to set. Throws only on
   * failures worth retrying as errors (the API could not be reached). */
  setup(issuer: GenericIssuer, ctx: IssuerContext): Promise<IssuerReadiness>;
  /** Sign a CertificateRequest. Throws only on failures worth retrying as errors. */
  sign(request: CertificateRequest, issuer: GenericIssuer, ctx: IssuerContext): Promise<SignResult>;
  /** Secrets whose changes can change this issuer's readiness (the CA keypair). */
  referencedSecrets?(issuer: GenericIssuer, ctx: IssuerContext): SecretReference[];
}

/** The `data` entry `key` of a Secret, base64-decoded; undefined when absent or empty. */
export function secretValue(secret: KubeSecret, key: string): Buffer | undefined {
  const encoded = secret.data?.[key];
  if (!encoded) return undefined;
  const value = Buffer.from(encoded, 'base64');
  return value.length > 0 ? value : undefined;
}

/** Why something went wrong, for a status message: a plain Error's message, never a stack or an object dump. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
