/**
 * The Vault issuer against the HTTP Vault double (test/doubles/vault): every auth method, TLS
 * (CA bundle, server name, mTLS), the namespace header, readiness reasons, the login cache and its
 * renewal, and how signing failures map to pending or failed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IssuerSpec, VaultIssuer } from '../../api/types.js';
import type { IssuerContext, KubeSecret } from '../../issuers/backend.js';
import { createVaultIssuer, VAULT_REASONS, type VaultIssuerBackend } from '../../issuers/vault/index.js';
import { signParameters } from '../../issuers/vault/signing.js';
import { parseCertificateChain, verifyChain } from '../../pki/index.js';
import { VaultDouble, type VaultDoubleOptions } from '../doubles/vault/server.js';
import { vaultPki, type VaultPki } from '../doubles/vault/pki.js';
import { b64, certificateRequest, clusterIssuer, issuer, keyAndCsr, secret } from './fixtures.js';

const SIGN_PATH = 'pki_int/sign/certwright';
const TOKEN = 'hvs.static-token';

let pki: VaultPki;
const doubles: VaultDouble[] = [];
const backends: VaultIssuerBackend[] = [];

before(async () => {
  pki = await vaultPki();
});
after(async () => {
  backends.forEach((b) => b.close());
  await Promise.all(doubles.map((d) => d.close()));
});

/** A clock tests move; the double's token leases and the issuer context share it. */
function testClock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function startVault(overrides: Partial<VaultDoubleOptions> = {}, clock = testClock()): Promise<VaultDouble> {
  const vault = await VaultDouble.start({
    tls: { certificatePem: pki.serving.certificatePem, keyPem: pki.serving.keyPem, clientCaPem: pki.clientCa.certificatePem },
    pki: { mount: 'pki_int', role: 'certwright', signer: { certificatePem: pki.intermediate.certificatePem, key: pki.intermediate.key }, caChainPems: [pki.intermediate.certificatePem, pki.root.certificatePem] },
    policies: { signer: ['pki_int/sign/certwright'], reader: ['secret/*'] },
    tokens: { [TOKEN]: { policies: ['signer'], ttlSeconds: 0 }, 'hvs.reader': { policies: ['reader'], ttlSeconds: 0 } },
    appRole: { roles: { certwright: { roleId: 'role-id-1', secretId: 'secret-id-1', policies: ['signer'], ttlSeconds: 60, renewable: true } } },
    kubernetes: {
      roles: { issuer: { serviceAccountNames: ['vault-issuer'], serviceAccountNamespaces: ['default'], audience: 'vault://default/vault', policies: ['signer'], ttlSeconds: 60 } },
      reviewToken: (jwt) => {
        const [, payload] = jwt.split('.');
        if (!payload) return undefined;
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string; aud: string[] };
        const [, , namespace, name] = claims.sub.split(':');
        return { namespace: namespace!, name: name!, audiences: claims.aud };
      },
    },
    cert: { roles: { web: { caPem: pki.clientCa.certificatePem, policies: ['signer'], ttlSeconds: 60 } } },
    now: clock.now,
    ...overrides,
  });
  doubles.push(vault);
  return vault;
}

function backend(options: Parameters<typeof createVaultIssuer>[0] = {}): VaultIssuerBackend {
  const created = createVaultIssuer(options);
  backends.push(created);
  return created;
}

/** Secrets by name in `default` (and `kube-system` for ClusterIssuers), with resourceVersions tests can bump. */
function context(secrets: KubeSecret[], clock = testClock()): IssuerContext & { put(s: KubeSecret): void } {
  const byKey = new Map(secrets.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
  return {
    put: (s) => byKey.set(`${s.metadata.namespace}/${s.metadata.name}`, s),
    getSecret: async (namespace, name) => byKey.get(`${namespace}/${name}`),
    resourceNamespace: (iss) => (iss.kind === 'ClusterIssuer' ? 'kube-system' : (iss.metadata.namespace ?? '')),
    now: clock.now,
  };
}

const withVersion = (s: KubeSecret, resourceVersion: string): KubeSecret => ({ ...s, metadata: { ...s.metadata, resourceVersion } });
const tokenSecret = (token = TOKEN, namespace = 'default') => withVersion(secret(namespace, 'vault-token', { token }), '1');
const appRoleSecret = (secretId = 'secret-id-1') => withVersion(secret('default', 'approle', { secretId }), '1');

function vaultSpec(vault: VaultDouble, extra: Partial<VaultIssuer> = {}, auth: VaultIssuer['auth'] = { tokenSecretRef: { name: 'vault-token' } }): IssuerSpec {
  return { vault: { server: vault.url, path: SIGN_PATH, caBundle: b64(pki.servingCa.certificatePem), auth, ...extra } };
}

const appRoleAuth = (roleId = 'role-id-1'): VaultIssuer['auth'] => ({ appRole: { roleId, secretRef: { name: 'approle', key: 'secretId' } } });

async function request(duration?: string) {
  const { csrPem } = await keyAndCsr({ commonName: 'app.example.test', dnsNames: ['app.example.test', 'www.example.test'], ipAddresses: ['10.0.0.1'], uris: ['spiffe://cluster.local/ns/default/sa/app'] });
  return certificateRequest(csrPem, duration ? { duration } : {});
}

describe('Vault issuer', () => {
  describe('configuration', () => {
    it('is not ready with VaultInvalidConfig for two auth methods, a `..` path, an issue endpoint or AWS auth', async () => {
      const vault = await startVault();
      const ctx = context([tokenSecret(), appRoleSecret()]);
      const cases: Array<[IssuerSpec, RegExp]> = [
        [vaultSpec(vault, {}, { tokenSecretRef: { name: 'vault-token' }, ...appRoleAuth() }), /please supply only one of/],
        [vaultSpec(vault, { path: 'pki/../sys/sign/x' }), /must not contain '\.\.' path segments/],
        [vaultSpec(vault, { path: 'pki_int/issue/certwright' }), /issue endpoint, where Vault generates the private key/],
        [vaultSpec(vault, {}, { aws: { role: 'r' } }), /AWS IAM auth is not supported/],
        [vaultSpec(vault, {}, {}), /please supply one of/],
      ];
      for (const [spec, message] of cases) {
        const readiness = await backend().setup(issuer(spec), ctx);
        assert.equal(readiness.reason, VAULT_REASONS.invalidConfig, JSON.stringify(spec.vault?.auth));
        assert.match(readiness.message, message);
      }
      assert.equal(vault.requests.length, 0, 'nothing is sent to Vault for a bad spec');
    });

    it('sends cert-manager\'s sign parameters, all strings, with the requested duration as a Go ttl', async () => {
      const { csrPem } = await keyAndCsr({ commonName: 'a.example.test', dnsNames: ['a.example.test', 'b.example.test'], ipAddresses: ['10.0.0.1', '::1'], uris: ['spiffe://x/y'] });
      const parameters = signParameters(csrPem, 896 * 3_600_000);
      assert.deepEqual({ ...parameters, csr: undefined }, {
        common_name: 'a.example.test',
        alt_names: 'a.example.test,b.example.test',
        ip_sans: '10.0.0.1,::1',
        uri_sans: 'spiffe://x/y',
        ttl: '896h0m0s',
        exclude_cn_from_sans: 'true',
        csr: undefined,
      });
      assert.match(parameters.csr!, /^-----BEGIN CERTIFICATE REQUEST-----/);
    });
  });

  describe('token auth', () => {
    it('is ready, then signs: leaf and intermediate in tls.crt, the root in ca.crt, the private key never sent', async () => {
      const vault = await startVault();
      const vaultIssuer = backend();
      const iss = issuer(vaultSpec(vault));
      const ctx = context([tokenSecret()]);
      assert.deepEqual(await vaultIssuer.setup(iss, ctx), { status: 'True', reason: 'VaultVerified', message: 'Vault verified' });
      const cr = await request('896h');
      const result = await vaultIssuer.sign(cr, iss, ctx);
      assert.equal(result.state, 'issued');
      if (result.state !== 'issued') return;
      const chain = parseCertificateChain(result.certificatePem);
      assert.equal(chain.length, 2, 'leaf + intermediate');
      assert.equal(chain[1]!.commonName, 'Vault PKI Intermediate');
      assert.equal(parseCertificateChain(result.caPem!)[0]!.commonName, 'Vault PKI Root');
      verifyChain({ leaf: chain[0]!, intermediates: chain.slice(1), roots: parseCertificateChain(result.caPem!), hostname: 'www.example.test' });
      const leaf = chain[0]!;
      assert.deepEqual(leaf.dnsNames, ['app.example.test', 'www.example.test']);
      assert.equal(leaf.notAfter.getTime() - leaf.notBefore.getTime(), 896 * 3_600_000 + 30_000, 'ttl honoured (Vault backdates NotBefore 30 s)');

      const signCall = vault.requests.find((r) => r.path === `/v1/${SIGN_PATH}`)!;
      assert.equal(signCall.token, TOKEN);
      assert.equal(signCall.body.ttl, '896h0m0s');
      assert.equal(signCall.body.exclude_cn_from_sans, 'true');
      assert.ok(!JSON.stringify(vault.requests).includes('PRIVATE KEY'), 'no private key in any request');
      assert.ok(vault.requests.every((r) => r.namespace === undefined), 'no namespace header without spec.vault.namespace');
    });

    it('is not ready with VaultPermissionDenied when the token may not sign at the path, or is not valid', async () => {
      const vault = await startVault();
      const denied = await backend().setup(issuer(vaultSpec(vault)), context([tokenSecret('hvs.reader')]));
      assert.equal(denied.reason, VAULT_REASONS.permissionDenied);
      assert.match(denied.message, /may not sign at "pki_int\/sign\/certwright" \(its capabilities there: deny\)/);
      const invalid = await backend().setup(issuer(vaultSpec(vault)), context([tokenSecret('hvs.unknown')]));
      assert.equal(invalid.reason, VAULT_REASONS.permissionDenied);
      assert.match(invalid.message, /permission denied/);
    });

    it('reports a missing Secret as VaultSecretError, and a sign as pending SecretMissing', async () => {
      const vault = await startVault();
      const iss = issuer(vaultSpec(vault));
      const readiness = await backend().setup(iss, context([]));
      assert.deepEqual([readiness.reason, readiness.message], [VAULT_REASONS.secretError, 'secret "default/vault-token" not found']);
      const result = await backend().sign(await request(), iss, context([]));
      assert.deepEqual([result.state, result.state === 'pending' && result.reason], ['pending', 'SecretMissing']);
      const noKey = await backend().setup(iss, context([secret('default', 'vault-token', { other: 'x' })]));
      assert.match(noKey.message, /no data for "token" in secret "default\/vault-token"/);
    });

    it('reads a ClusterIssuer\'s Secrets from the cluster resource namespace', async () => {
      const vault = await startVault();
      const readiness = await backend().setup(clusterIssuer(vaultSpec(vault)), context([tokenSecret(TOKEN, 'kube-system')]));
      assert.equal(readiness.reason, VAULT_REASONS.verified);
    });
  });

  describe('health', () => {
    const cases: Array<[VaultDouble['health'], string]> = [
      ['sealed', VAULT_REASONS.sealed],
      ['uninitialized', VAULT_REASONS.notInitialized],
      ['standby', VAULT_REASONS.verified],
      ['performance-standby', VAULT_REASONS.verified],
    ];
    for (const [state, reason] of cases) {
      it(`a ${state} Vault gives ${reason}`, async () => {
        const vault = await startVault();
        vault.health = state;
        const readiness = await backend().setup(issuer(vaultSpec(vault)), context([tokenSecret()]));
        assert.equal(readiness.reason, reason, readiness.message);
        assert.ok(vault.requests.some((r) => r.path === '/v1/sys/health'));
      });
    }

    it('a Vault that cannot be reached gives VaultUnreachable', async () => {
      const vault = await startVault();
      const url = vault.url;
      await vault.close();
      const readiness = await backend().setup(issuer({ vault: { server: url, path: SIGN_PATH, caBundle: b64(pki.servingCa.certificatePem), auth: { tokenSecretRef: { name: 'vault-token' } } } }), context([tokenSecret()]));
      assert.equal(readiness.reason, VAULT_REASONS.unreachable);
      assert.match(readiness.message, /cannot reach Vault at https:\/\/127\.0\.0\.1/);
    });
  });

  describe('TLS', () => {
    it('a CA bundle that does not hold Vault\'s CA, or none at all, gives VaultTLSError', async () => {
      const vault = await startVault();
      const wrongCa = await backend().setup(issuer(vaultSpec(vault, { caBundle: b64(pki.root.certificatePem) })), context([tokenSecret()]));
      assert.equal(wrongCa.reason, VAULT_REASONS.tlsError);
      assert.match(wrongCa.message, /TLS connection to Vault not trusted/);
      const garbage = await backend().setup(
        issuer(vaultSpec(vault, { caBundle: undefined, caBundleSecretRef: { name: 'vault-ca' } })),
        context([tokenSecret(), secret('default', 'vault-ca', { 'ca.crt': 'not a certificate' })]),
      );
      assert.deepEqual([garbage.reason, garbage.message], [VAULT_REASONS.tlsError, 'invalid CA bundle in secret "default/vault-ca": cert bundle didn\'t contain any valid certificates']);
    });

    it('verifies Vault\'s certificate against spec.vault.serverName', async () => {
      const vault = await startVault();
      const ctx = context([tokenSecret(), secret('default', 'vault-ca', { 'ca.crt': pki.servingCa.certificatePem })]);
      const viaSecret = { caBundle: undefined, caBundleSecretRef: { name: 'vault-ca' } };
      assert.equal((await backend().setup(issuer(vaultSpec(vault, { ...viaSecret, serverName: 'vault.test' })), ctx)).reason, VAULT_REASONS.verified);
      const mismatch = await backend().setup(issuer(vaultSpec(vault, { ...viaSecret, serverName: 'other.test' })), ctx);
      assert.equal(mismatch.reason, VAULT_REASONS.tlsError);
      assert.match(mismatch.message, /ERR_TLS_CERT_ALTNAME_INVALID/);
    });

    it('presents the client certificate of clientCertSecretRef/clientKeySecretRef to a Vault that requires mTLS', async () => {
      const base = await startVault();
      const vault = await startVault({ tls: { certificatePem: pki.serving.certificatePem, keyPem: pki.serving.keyPem, clientCaPem: pki.clientCa.certificatePem, requireClientCertificate: true } });
      await base.close();
      const keypair = secret('default', 'vault-client', { 'tls.crt': pki.client.certificatePem, 'tls.key': pki.client.keyPem });
      const mtls = { clientCertSecretRef: { name: 'vault-client' }, clientKeySecretRef: { name: 'vault-client' } };
      const without = await backend().setup(issuer(vaultSpec(vault)), context([tokenSecret()]));
      assert.ok([VAULT_REASONS.tlsError, VAULT_REASONS.unreachable].includes(without.reason as never), `${without.reason}: ${without.message}`);
      const ctx = context([tokenSecret(), keypair]);
      const vaultIssuer = backend();
      assert.equal((await vaultIssuer.setup(issuer(vaultSpec(vault, mtls)), ctx)).reason, VAULT_REASONS.verified);
      assert.equal((await vaultIssuer.sign(await request(), issuer(vaultSpec(vault, mtls)), ctx)).state, 'issued');
      assert.ok(vault.requests.length > 0 && vault.requests.every((r) => r.clientCertificate), 'every request over mTLS');
    });
  });

  describe('namespace', () => {
    it('sends X-Vault-Namespace on every call but sys/health; without it the mounts are not found', async () => {
      const vault = await startVault({ namespace: 'team-a' });
      const vaultIssuer = backend();
      const ctx = context([appRoleSecret()]);
      const iss = issuer(vaultSpec(vault, { namespace: 'team-a' }, appRoleAuth()));
      assert.equal((await vaultIssuer.setup(iss, ctx)).reason, VAULT_REASONS.verified);
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      for (const r of vault.requests) assert.equal(r.namespace, r.path === '/v1/sys/health' ? undefined : 'team-a', r.path);
      const outside = await backend().setup(issuer(vaultSpec(vault, {}, appRoleAuth())), ctx);
      assert.equal(outside.reason, VAULT_REASONS.loginFailed);
      assert.match(outside.message, /appRole login at \/v1\/auth\/approle\/login: Vault answered 404 .*no handler for route "auth\/approle\/login"/);
    });
  });

  describe('AppRole auth', () => {
    it('logs in once for many signings, and refuses a wrong role with VaultLoginFailed', async () => {
      const vault = await startVault();
      const vaultIssuer = backend();
      const ctx = context([appRoleSecret()]);
      const iss = issuer(vaultSpec(vault, {}, appRoleAuth()));
      assert.equal((await vaultIssuer.setup(iss, ctx)).reason, VAULT_REASONS.verified);
      const results = await Promise.all(Array.from({ length: 6 }, async () => vaultIssuer.sign(await request(), iss, ctx)));
      assert.deepEqual(new Set(results.map((r) => r.state)), new Set(['issued']));
      assert.equal(vault.count('/v1/auth/approle/login'), 1, 'one login serves setup and six signings');
      const login = vault.requests.find((r) => r.path === '/v1/auth/approle/login')!;
      assert.deepEqual(login.body, { role_id: 'role-id-1', secret_id: 'secret-id-1' });

      const wrong = await backend().setup(issuer(vaultSpec(vault, {}, appRoleAuth('role-id-2'))), ctx);
      assert.equal(wrong.reason, VAULT_REASONS.loginFailed);
      assert.match(wrong.message, /Vault refused the appRole login at \/v1\/auth\/approle\/login: .*invalid role or secret ID/);
      assert.ok(!wrong.message.includes('secret-id-1'), 'the secret_id is not in the message');
    });

    it('renews the token after two thirds of its lease, and logs in again when it cannot be renewed', async () => {
      const clock = testClock();
      const vault = await startVault({}, clock);
      const vaultIssuer = backend();
      const ctx = context([appRoleSecret()], clock);
      const iss = issuer(vaultSpec(vault, {}, appRoleAuth()));
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      clock.advance(30_000);
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      assert.deepEqual([vault.count('/v1/auth/approle/login'), vault.count('/v1/auth/token/renew-self')], [1, 0], 'within 2/3 of the lease: kept');
      clock.advance(15_000);
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      assert.deepEqual([vault.count('/v1/auth/approle/login'), vault.count('/v1/auth/token/renew-self')], [1, 1], 'renewed, not a new login');
      clock.advance(120_000);
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      assert.equal(vault.count('/v1/auth/approle/login'), 2, 'an expired lease means a new login');
    });

    it('logs in again once when Vault refuses the kept token (revoked), and again when a Secret changes', async () => {
      const vault = await startVault();
      const vaultIssuer = backend();
      const ctx = context([appRoleSecret()]);
      const iss = issuer(vaultSpec(vault, {}, appRoleAuth()));
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      vault.revokeAllTokens();
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      assert.equal(vault.count('/v1/auth/approle/login'), 2);
      ctx.put(withVersion(secret('default', 'approle', { secretId: 'secret-id-1' }), '2'));
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued');
      assert.equal(vault.count('/v1/auth/approle/login'), 3, 'a new Secret version means a new login');
      assert.equal((await vaultIssuer.sign(await request(), iss, { ...ctx })).state, 'issued');
      assert.equal(vault.count('/v1/auth/approle/login'), 3);
    });
  });

  describe('Kubernetes auth', () => {
    const jwtFor = (namespace: string, name: string, audiences: string[]) =>
      ['{"alg":"RS256"}', JSON.stringify({ sub: `system:serviceaccount:${namespace}:${name}`, aud: audiences })].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.sig';

    it('requests a ServiceAccount token with the issuer\'s audiences for 10 minutes, and logs in with it', async () => {
      const vault = await startVault();
      const requested: unknown[] = [];
      const vaultIssuer = backend({
        serviceAccountTokens: async (request) => {
          requested.push(request);
          return jwtFor(request.namespace, request.name, request.audiences);
        },
      });
      const iss = { ...issuer(vaultSpec(vault, {}, { kubernetes: { role: 'issuer', serviceAccountRef: { name: 'vault-issuer', audiences: ['extra'] } } })), metadata: { namespace: 'default', name: 'vault', generation: 1 } };
      const readiness = await vaultIssuer.setup(iss, context([]));
      assert.equal(readiness.reason, VAULT_REASONS.verified, readiness.message);
      assert.deepEqual(requested, [{ namespace: 'default', name: 'vault-issuer', audiences: ['extra', 'vault://default/vault'], expirationSeconds: 600 }]);
      assert.deepEqual(vault.requests.find((r) => r.path === '/v1/auth/kubernetes/login')!.body.role, 'issuer');
    });

    it('logs in with the JWT of secretRef; a wrong role is VaultLoginFailed, a rejected JWT VaultPermissionDenied', async () => {
      const vault = await startVault();
      const jwt = jwtFor('default', 'vault-issuer', ['vault://default/vault']);
      const ctx = context([secret('default', 'sa-token', { token: `${jwt}\n` })]);
      const spec = (role: string) => ({ ...issuer(vaultSpec(vault, {}, { kubernetes: { role, secretRef: { name: 'sa-token' } } })), metadata: { namespace: 'default', name: 'vault', generation: 1 } });
      assert.equal((await backend().setup(spec('issuer'), ctx)).reason, VAULT_REASONS.verified);
      assert.equal(vault.requests.find((r) => r.path === '/v1/auth/kubernetes/login')!.body.jwt, jwt, 'trimmed');
      const wrongRole = await backend().setup(spec('nope'), ctx);
      assert.equal(wrongRole.reason, VAULT_REASONS.loginFailed);
      assert.match(wrongRole.message, /invalid role name "nope"/);
      const otherAccount = context([secret('default', 'sa-token', { token: jwtFor('default', 'someone-else', ['vault://default/vault']) })]);
      assert.equal((await backend().setup(spec('issuer'), otherAccount)).reason, VAULT_REASONS.permissionDenied);
    });
  });

  describe('client certificate auth', () => {
    it('logs in with the kubernetes.io/tls keypair of secretName as the TLS client certificate', async () => {
      const vault = await startVault();
      const ctx = context([secret('default', 'vault-client-auth', { 'tls.crt': pki.client.certificatePem, 'tls.key': pki.client.keyPem })]);
      const iss = issuer(vaultSpec(vault, {}, { clientCertificate: { secretName: 'vault-client-auth', name: 'web' } }));
      assert.equal((await backend().setup(iss, ctx)).reason, VAULT_REASONS.verified);
      const login = vault.requests.find((r) => r.path === '/v1/auth/cert/login')!;
      assert.deepEqual([login.body, login.clientCertificate], [{ name: 'web' }, true]);
      const untrusted = context([secret('default', 'vault-client-auth', { 'tls.crt': pki.serving.certificatePem, 'tls.key': pki.serving.keyPem })]);
      assert.equal((await backend().setup(iss, untrusted)).reason, VAULT_REASONS.loginFailed);
    });
  });

  describe('signing failures', () => {
    it('Vault busy or unavailable leaves the request pending; a refusal of the request fails it', async () => {
      const vault = await startVault();
      const vaultIssuer = backend();
      const iss = issuer(vaultSpec(vault));
      const ctx = context([tokenSecret()]);
      const signPath = `/v1/${SIGN_PATH}`;
      const cases: Array<[number, string[], string, string]> = [
        [503, ['Vault is sealed'], 'pending', VAULT_REASONS.sealed],
        [500, ['internal error'], 'pending', VAULT_REASONS.unavailable],
        [429, ['rate limit quota exceeded'], 'pending', VAULT_REASONS.unavailable],
        [400, ['common name app.example.test not allowed by this role'], 'failed', 'SigningError'],
      ];
      for (const [status, errors, state, reason] of cases) {
        vault.failNext(signPath, status, errors);
        const result = await vaultIssuer.sign(await request(), iss, ctx);
        assert.deepEqual([result.state, result.state !== 'issued' && result.reason], [state, reason], `${status}`);
        assert.ok(result.state !== 'issued' && result.message.includes(errors[0]!), result.state !== 'issued' ? result.message : '');
      }
      assert.equal((await vaultIssuer.sign(await request(), iss, ctx)).state, 'issued', 'and it recovers');
    });
  });
});
