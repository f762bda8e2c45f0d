import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserInfo } from './admission.js';

/** The identity the kubeconfig token carries: a cluster administrator. */
export const adminUser: UserInfo = { username: 'certwright-admin', uid: 'certwright-admin', groups: ['system:masters', 'system:authenticated'] };

/** The bearer token of the kubeconfig, kept in the data dir and reused on restart. */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'token');
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (token) return token;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = randomBytes(32).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

interface IssuedToken {
  user: UserInfo;
  expiresAt: number;
  audiences: string[];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Bearer-token authentication: the admin token, plus opaque ServiceAccount tokens minted through
 * `serviceaccounts/<name>/token`, valid until they expire (in memory: a restart revokes them).
 */
export class Authenticator {
  private readonly issued = new Map<string, IssuedToken>();

  constructor(private readonly adminToken: string) {}

  authenticate(authorization: string | undefined): UserInfo | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const token = match[1]!;
    if (sameSecret(token, this.adminToken)) return adminUser;
    const issued = this.issued.get(token);
    if (!issued) return undefined;
    if (issued.expiresAt <= Date.now()) {
      this.issued.delete(token);
      return undefined;
    }
    return issued.user;
  }

  issueServiceAccountToken(namespace: string, name: string, uid: string, expirationSeconds: number, audiences: string[]): { token: string; expiresAt: Date } {
    const token = `cw-sa.${randomBytes(32).toString('base64url')}`;
    const expiresAt = Date.now() + expirationSeconds * 1000;
    this.issued.set(token, {
      user: { username: `system:serviceaccount:${namespace}:${name}`, uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] },
      expiresAt,
      audiences,
    });
    return { token, expiresAt: new Date(expiresAt) };
  }
}
