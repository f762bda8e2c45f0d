/**
 * The HTTP-01 self-check: fetch `http://<domain>[:port]/.well-known/acme-challenge/<token>` as the
 * ACME server will, resolving the name through the configured nameservers
 * (`--acme-http01-solver-nameservers`) or the system's, and compare the body with the key.
 * One look per call; the Challenge controller calls again after the retry period.
 */
import { request } from 'node:http';
import { isIP } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { CHALLENGE_PATH_PREFIX } from './listener.js';

export interface Http01CheckOptions {
  /** `host:port` nameservers; the system resolver when empty. */
  nameservers?: string[];
  /** Port to connect to; 80 unless the solver listener is elsewhere (local mode, tests). */
  port?: number;
  timeoutMs?: number;
}

export interface Http01CheckResult {
  ok: boolean;
  detail: string;
}

async function addressOf(domain: string, nameservers: string[] | undefined): Promise<string> {
  if (isIP(domain)) return domain;
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (nameservers && nameservers.length > 0) resolver.setServers(nameservers);
  const [v4] = await resolver.resolve4(domain).catch(() => [] as string[]);
  if (v4) return v4;
  const [v6] = await resolver.resolve6(domain);
  if (!v6) throw new Error(`no A or AAAA record for ${domain}`);
  return v6;
}

export async function checkHttp01(domain: string, token: string, key: string, options: Http01CheckOptions = {}): Promise<Http01CheckResult> {
  const port = options.port ?? 80;
  const url = `http://${domain}${port === 80 ? '' : `:${port}`}${CHALLENGE_PATH_PREFIX}${token}`;
  try {
    const address = await addressOf(domain, options.nameservers);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: address, port, path: `${CHALLENGE_PATH_PREFIX}${token}`, headers: { host: domain }, timeout: options.timeoutMs ?? 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > 4096) req.destroy(new Error('response too large'));
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
    if (status !== 200) return { ok: false, detail: `wrong status code '${status}' from ${url}, expected '200'` };
    if (body.trim() !== key) return { ok: false, detail: `did not get expected response when querying endpoint ${url}` };
    return { ok: true, detail: `${url} serves the key` };
  } catch (err) {
    return { ok: false, detail: `failed to perform self check GET request '${url}': ${err instanceof Error ? err.message : String(err)}` };
  }
}
