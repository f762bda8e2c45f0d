/**
 * acme-dns (joohoi/acme-dns): the challenge record is a CNAME to an account's subdomain on the
 * acme-dns server, whose TXT value is set through its `/update` API. The Secret holds a JSON map of
 * domain → account, as written by acme-dns' `/register`. acme-dns keeps the two latest values by
 * itself, so cleanUp has nothing to do (as in cert-manager).
 */
import type { DNS01AcmeDNS } from '../../api/types.js';
import { requestJson, type HttpJsonOptions } from './http-json.js';
import type { Dns01Provider } from './provider.js';
import { readSecretKey } from './secrets.js';

interface AcmeDnsAccount {
  username: string;
  password: string;
  subdomain: string;
  fulldomain?: string;
}

function parseAccounts(json: string): Record<string, AcmeDnsAccount> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('acmeDNS: the account Secret is not JSON (want a map of domain to acme-dns account)');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('acmeDNS: the account Secret must be a JSON object keyed by domain');
  return parsed as Record<string, AcmeDnsAccount>;
}

function accountFor(accounts: Record<string, AcmeDnsAccount>, dnsName: string): AcmeDnsAccount {
  const account = accounts[dnsName];
  if (!account) throw new Error(`acmeDNS: no account for domain ${dnsName} in the account Secret`);
  for (const field of ['username', 'password', 'subdomain'] as const) {
    if (typeof account[field] !== 'string' || !account[field]) throw new Error(`acmeDNS: the account for ${dnsName} has no ${field}`);
  }
  return account;
}

export function createAcmeDnsProvider(options: HttpJsonOptions = {}): Dns01Provider {
  return {
    name: 'acmeDNS',
    async present(request, config, ctx) {
      const acmeDns: DNS01AcmeDNS | undefined = config.acmeDNS;
      if (!acmeDns) throw new Error('acmeDNS: solver has no acmeDNS configuration');
      const json = await readSecretKey(ctx, request.resourceNamespace, acmeDns.accountSecretRef, 'acmeDNS accounts');
      const account = accountFor(parseAccounts(json), request.dnsName);
      let url: URL;
      try {
        url = new URL('update', acmeDns.host.endsWith('/') ? acmeDns.host : `${acmeDns.host}/`);
      } catch {
        throw new Error(`acmeDNS: host "${acmeDns.host}" is not a URL`);
      }
      const { status, body } = await requestJson(
        url.href,
        { method: 'POST', headers: { 'x-api-user': account.username, 'x-api-key': account.password }, body: { subdomain: account.subdomain, txt: request.key } },
        options,
      );
      if (status !== 200) {
        const reason = (body as { error?: string } | undefined)?.error;
        throw new Error(`acmeDNS: update at ${url.origin} for ${request.dnsName} failed with HTTP ${status}${reason ? ` (${reason})` : ''}`);
      }
    },
    async cleanUp() {
      // acme-dns rotates values itself (it keeps the latest two): nothing to remove.
    },
  };
}
