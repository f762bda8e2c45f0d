/**
 * The ACME issuer backend (reference §1.8.1, §2.10 ACME row). `setup` registers the account (or
 * finds it cached in `status.acme`, as cert-manager does) and keeps its contact current; `sign`
 * turns an approved CertificateRequest into exactly one Order, named after the request, and hands
 * back the Order's certificate once the Order controller has it.
 */
import type { CertificateRequest, Order } from '../../api/types.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import type { Informer } from '../../controller/runtime/informer.js';
import { ORDERS } from '../../controller/runtime/resources.js';
import { parseCertificateChain, parseCsr, publicKeysEqual, type CsrInfo } from '../../pki/index.js';
import { describeError, type GenericIssuer, type IssuerBackend, type IssuerContext, type IssuerReadiness, type SecretReference, type SignResult } from '../backend.js';
import { requestPem } from '../signing-request.js';
import { AccountConfigError, type AcmeAccounts } from './accounts.js';
import { buildOrder, InvalidOrderError, ORDERS_BY_OWNER_UID, orderSpecFor } from './orders.js';
import { isPermanentProblem } from './problem.js';

export const ACCOUNT_REGISTERED_REASON = 'ACMEAccountRegistered';
export const ACCOUNT_REGISTERED_MESSAGE = 'The ACME account was registered with the ACME server';
/** The account URL an Order was created with: `replaces` is only sent for certificates from the same account. */
export const ORDER_ACCOUNT_ANNOTATION = 'acme.certwright.io/account-uri';

/** RFC 8555 states after which an Order or Challenge never changes, plus cert-manager's `errored`. */
export const FAILED_STATES: readonly string[] = ['invalid', 'expired', 'errored'];

export interface AcmeIssuerOptions {
  accounts: AcmeAccounts;
  client: KubeClient;
  /** Must carry {@link ownerIndexers}. */
  orders: Informer<Order>;
  /** The ARI CertID a new Order for `request` replaces, if any (see ari.ts). */
  replacesFor?: (request: CertificateRequest, issuer: GenericIssuer, accountUri: string) => Promise<string | undefined>;
}

/**
 * Registration is skipped when the issuer is Ready and `status.acme` records this server's host,
 * this email and this key (cert-manager's setup.go).
 */
export function registrationCached(issuer: GenericIssuer, keyHash: string): boolean {
  const acme = issuer.spec.acme;
  const status = issuer.status?.acme;
  const ready = issuer.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  if (!acme || !status?.uri || !ready) return false;
  let sameHost: boolean;
  try {
    sameHost = new URL(status.uri).host === new URL(acme.server).host;
  } catch {
    return false;
  }
  return sameHost && (status.lastRegisteredEmail ?? '') === (acme.email ?? '') && status.lastPrivateKeyHash === keyHash;
}

function notReady(reason: string, message: string): IssuerReadiness {
  return { status: 'False', reason, message };
}

export function createAcmeIssuer(options: AcmeIssuerOptions): IssuerBackend {
  const { accounts } = options;

  async function setup(issuer: GenericIssuer, ctx: IssuerContext): Promise<IssuerReadiness> {
    let account;
    try {
      account = await accounts.accountFor(issuer, ctx, { generateKey: true });
    } catch (err) {
      if (err instanceof AccountConfigError) return notReady(err.reason, err.message);
      throw err;
    }
    const email = issuer.spec.acme?.email ?? '';
    const registered = { status: 'True' as const, reason: ACCOUNT_REGISTERED_REASON, message: ACCOUNT_REGISTERED_MESSAGE };
    if (registrationCached(issuer, account.keyHash)) return registered;
    const registeredUri = account.registeredEmail === email ? account.client.accountUrl : undefined;
    if (registeredUri) return { ...registered, acme: { uri: registeredUri, lastRegisteredEmail: email, lastPrivateKeyHash: account.keyHash } };
    const wasRegistered = issuer.status?.acme?.lastPrivateKeyHash === account.keyHash && issuer.status.acme.uri;
    try {
      const uri = await account.client.register(email || undefined);
      account.registeredEmail = email;
      return { ...registered, acme: { uri, lastRegisteredEmail: email, lastPrivateKeyHash: account.keyHash } };
    } catch (err) {
      // Unreachable servers and 5xx show on the issuer too; the not-ready re-check retries them.
      const reason = wasRegistered ? 'ErrUpdateACMEAccount' : 'ErrRegisterACMEAccount';
      const what = wasRegistered ? 'Failed to update ACME account' : 'Failed to register ACME account';
      return notReady(reason, `${what}: ${isPermanentProblem(err) ? err.message : describeError(err)}`);
    }
  }

  async function sign(request: CertificateRequest, issuer: GenericIssuer, _ctx: IssuerContext): Promise<SignResult> {
    let csr: CsrInfo;
    try {
      csr = parseCsr(requestPem(request));
    } catch (err) {
      return { state: 'failed', reason: 'RequestParsingError', message: `Failed to decode CSR in spec.request: ${describeError(err)}` };
    }
    const { namespace = '', uid = '' } = request.metadata;
    let order = options.orders.byIndex(ORDERS_BY_OWNER_UID, uid).find((o) => o.spec.request === request.spec.request);
    if (!order) {
      const accountUri = issuer.status?.acme?.uri ?? '';
      let spec;
      try {
        const replaces = accountUri ? await options.replacesFor?.(request, issuer, accountUri) : undefined;
        spec = orderSpecFor(request, csr, issuer, replaces ? { replaces } : {});
      } catch (err) {
        if (err instanceof InvalidOrderError) return { state: 'failed', reason: 'InvalidOrder', message: err.message };
        throw err;
      }
      const created = await options.client.create<Order>(ORDERS, buildOrder(request, spec, accountUri ? { [ORDER_ACCOUNT_ANNOTATION]: accountUri } : {}));
      return { state: 'pending', reason: 'OrderCreated', message: `Created Order resource ${namespace}/${created.metadata.name}` };
    }
    const name = `${namespace}/${order.metadata.name}`;
    const state = order.status?.state ?? '';
    if (FAILED_STATES.includes(state)) {
      return { state: 'failed', reason: 'OrderFailed', message: `Failed to wait for order resource "${name}" to become ready: order is in "${state}" state: ${order.status?.reason ?? ''}` };
    }
    if (state !== 'valid' || !order.status?.certificate) {
      const detail = order.status?.reason ? `: ${order.status.reason}` : '';
      return { state: 'pending', reason: 'OrderPending', message: `Waiting on certificate issuance from order ${name}: "${state}"${detail}` };
    }
    const chainPem = Buffer.from(order.status.certificate, 'base64').toString('utf8');
    let matches = false;
    try {
      matches = publicKeysEqual(parseCertificateChain(chainPem)[0]!, csr);
    } catch {
      matches = false;
    }
    if (!matches) {
      // cert-manager deletes such an Order so the next sync creates a fresh one.
      await options.client.delete(ORDERS, { namespace, name: order.metadata.name! }, { preconditions: { uid: order.metadata.uid! } });
      return { state: 'pending', reason: 'OrderPending', message: `Deleted order ${name}: its certificate does not match the request's key or cannot be decoded` };
    }
    return { state: 'issued', certificatePem: chainPem };
  }

  return {
    type: 'acme',
    setup,
    sign,
    referencedSecrets: (issuer, ctx): SecretReference[] => {
      const acme = issuer.spec.acme;
      const namespace = ctx.resourceNamespace(issuer);
      const refs = acme?.privateKeySecretRef?.name ? [{ namespace, name: acme.privateKeySecretRef.name }] : [];
      if (acme?.externalAccountBinding?.keySecretRef.name) refs.push({ namespace, name: acme.externalAccountBinding.keySecretRef.name });
      return refs;
    },
  };
}

