/**
 * ACME Renewal Information (RFC 9773) decisions: which certificate a new Order `replaces`, and
 * when to renew inside the server's suggested window.
 */
import { createHash } from 'node:crypto';
import type { Certificate, CertificateRequest, Order } from '../../api/types.js';
import { CERTIFICATE_NAME_ANNOTATION } from '../../api/well-known.js';
import { ORDER_ACCOUNT_ANNOTATION } from '../../issuers/acme/issuer.js';
import { ORDERS_BY_CERT_ID } from '../../issuers/acme/orders.js';
import { secretValue, type GenericIssuer, type IssuerContext } from '../../issuers/backend.js';
import { ariCertId, parseCertificateChain } from '../../pki/index.js';
import type { Informer } from '../runtime/informer.js';

/** ARI is on unless the issuer says `renewalInformationSource: None`. */
export function ariEnabled(issuer: GenericIssuer): boolean {
  return issuer.spec.acme !== undefined && issuer.spec.acme.renewalInformationSource !== 'None';
}

export interface ReplacesSources {
  certificates: Informer<Certificate>;
  /** Must carry `orderIndexers`. */
  orders: Informer<Order>;
  context: IssuerContext;
}

/**
 * The CertID for `replaces`: that of the leaf in the request's Certificate's Secret, but only when
 * an Order of this same ACME account issued it (a certificate from another CA or account makes the
 * server reject the order, cert-manager#9074).
 */
export async function replacesFor(request: CertificateRequest, issuer: GenericIssuer, accountUri: string, sources: ReplacesSources): Promise<string | undefined> {
  if (!ariEnabled(issuer)) return undefined;
  const name = request.metadata.annotations?.[CERTIFICATE_NAME_ANNOTATION];
  const namespace = request.metadata.namespace ?? '';
  const certificate = name ? sources.certificates.get({ namespace, name }) : undefined;
  if (!certificate) return undefined;
  const secret = await sources.context.getSecret(namespace, certificate.spec.secretName);
  const pem = secret && secretValue(secret, 'tls.crt');
  if (!pem) return undefined;
  let certId: string;
  try {
    certId = ariCertId(parseCertificateChain(pem.toString('utf8'))[0]!);
  } catch {
    return undefined;
  }
  const issuedHere = sources.orders.byIndex(ORDERS_BY_CERT_ID, certId).some((o) => o.metadata.annotations?.[ORDER_ACCOUNT_ANNOTATION] === accountUri);
  return issuedHere ? certId : undefined;
}

/**
 * The renewal instant inside `[start, end)`: uniformly spread over certificates (a hash of the
 * Certificate's uid and the window), and stable across reconciles of the same window. A window
 * already past means now.
 */
export function ariRenewalTime(window: { start: number; end: number }, identity: string, now: number): number {
  if (window.end <= now) return now;
  const fraction = createHash('sha256').update(`${identity}/${window.start}/${window.end}`).digest().readUIntBE(0, 6) / 2 ** 48;
  return Math.floor(window.start + fraction * Math.max(0, window.end - window.start));
}
