/**
 * cert-manager's certificate conformance suite (reference §9.2) against certwright's CA,
 * SelfSigned and Vault (AppRole, through the HTTP Vault double) Issuers and ClusterIssuers, through
 * the embedded API server: the 22 table cases with the default validations of every case (chains
 * checked by `openssl verify`), and the bespoke ReusePrivateKey and update-DNS-name cases. As in
 * cert-manager, a case runs only when none of its required features is unsupported by the suite,
 * and the validations of unsupported features are skipped. Every Certificate is created up front
 * in one manager, so issuance for all suites runs concurrently.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, randomBytes } from 'node:crypto';
import type { Certificate, CertificateSpec } from '../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import type { KubeObject } from '../../apiserver/admission.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { CERTIFICATES, SECRETS } from '../../controller/runtime/resources.js';
import {
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  OID,
  parseCertificateChain,
  parseLiteralSubject,
  parsePrivateKey,
  privateKeyMatchesSpec,
  selfSignCertificate,
  type CertificateInfo,
} from '../../pki/index.js';
import { Workdir } from '../../test/pki/openssl.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { VaultDouble } from '../../test/doubles/vault/server.js';
import { vaultPki, type VaultPki } from '../../test/doubles/vault/pki.js';

const DAY_MS = 86_400_000;
const CLUSTER_RESOURCE_NAMESPACE = 'kube-system';
const rand = () => randomBytes(5).toString('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const text = (secret: KubeSecret, key: string) => (secret.data?.[key] === undefined ? undefined : Buffer.from(secret.data[key]!, 'base64').toString('utf8'));

/** cert-manager's conformance feature flags (`featureset.go`) the cases here use. */
type Feature =
  | 'IPAddresses'
  | 'Duration'
  | 'Wildcards'
  | 'ECDSA'
  | 'ReusePrivateKey'
  | 'URISANs'
  | 'EmailSANs'
  | 'CommonName'
  | 'KeyUsages'
  | 'OnlySAN'
  | 'SaveCAToSecret'
  | 'SaveRootCAToSecret'
  | 'Ed25519'
  | 'IssueCA'
  | 'LongDomain'
  | 'LiteralCertificateSubject'
  | 'OtherNames';

interface Suite {
  name: string;
  kind: 'Issuer' | 'ClusterIssuer';
  type: 'ca' | 'selfSigned' | 'vault';
  namespace: string;
  /** cert-manager's UnsupportedFeatures for the issuer (reference §9.2). */
  unsupported: readonly Feature[];
}

const VAULT_UNSUPPORTED: readonly Feature[] = ['KeyUsages', 'SaveRootCAToSecret', 'Ed25519', 'IssueCA', 'LiteralCertificateSubject'];

const suites: Suite[] = [
  { name: 'CA Issuer', kind: 'Issuer', type: 'ca', namespace: 'conformance-ca-issuer', unsupported: [] },
  { name: 'CA ClusterIssuer', kind: 'ClusterIssuer', type: 'ca', namespace: 'conformance-ca-clusterissuer', unsupported: [] },
  { name: 'SelfSigned Issuer', kind: 'Issuer', type: 'selfSigned', namespace: 'conformance-selfsigned-issuer', unsupported: [] },
  { name: 'SelfSigned ClusterIssuer', kind: 'ClusterIssuer', type: 'selfSigned', namespace: 'conformance-selfsigned-clusterissuer', unsupported: [] },
  { name: 'VaultAppRole Issuer', kind: 'Issuer', type: 'vault', namespace: 'conformance-vault-issuer', unsupported: VAULT_UNSUPPORTED },
  { name: 'VaultAppRole ClusterIssuer', kind: 'ClusterIssuer', type: 'vault', namespace: 'conformance-vault-clusterissuer', unsupported: VAULT_UNSUPPORTED },
];

const supports = (suite: Suite, feature: Feature) => !suite.unsupported.includes(feature);
const supportsAll = (suite: Suite, features: readonly Feature[]) => features.every((f) => supports(suite, f));

interface Case {
  name: string;
  /** The features the case needs; it is skipped for a suite that does not support one. */
  requires: Feature[];
  spec: () => Partial<CertificateSpec>;
  /** Checks beyond the default validations. */
  extra?: (leaf: CertificateInfo) => void;
}

const domain = () => `${rand()}.example.com`;
const spiffe = 'spiffe://cluster.local/ns/sandbox/sa/foo';

/** The table of cert-manager's `tests.go`, in its order. */
const cases: Case[] = [
  { name: 'basic, defaulted cert for a single distinct DNS name', requires: ['OnlySAN'], spec: () => ({ dnsNames: [domain()] }) },
  { name: 'CA certificate with the CA basicConstraint', requires: ['IssueCA'], spec: () => ({ isCA: true, dnsNames: [domain()] }) },
  { name: 'ECDSA, defaulted, single DNS name', requires: ['ECDSA', 'OnlySAN'], spec: () => ({ privateKey: { algorithm: 'ECDSA' }, dnsNames: [domain()] }) },
  { name: 'Ed25519, defaulted, single DNS name', requires: ['OnlySAN', 'Ed25519'], spec: () => ({ privateKey: { algorithm: 'Ed25519' }, dnsNames: [domain()] }) },
  { name: 'basic, single Common Name', requires: ['CommonName'], spec: () => ({ commonName: `test-common-name-${rand()}` }) },
  {
    name: 'two otherName SANs and an email',
    requires: ['OtherNames'],
    spec: () => ({
      commonName: `someCN-${rand()}`,
      otherNames: [
        { oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@domain.test' },
        { oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@domain2.test' },
      ],
      emailAddresses: ['email@domain.test'],
    }),
    extra: (leaf) => {
      assert.deepEqual(
        leaf.otherNames.map((n) => `${n.oid}=${n.utf8Value}`),
        ['1.3.6.1.4.1.311.20.2.3=upn@domain.test', '1.3.6.1.4.1.311.20.2.3=upn@domain2.test'],
      );
      assert.deepEqual(leaf.emailAddresses, ['email@domain.test']);
    },
  },
  {
    name: 'single DNS name with a literal subject',
    requires: ['LiteralCertificateSubject'],
    spec: () => {
      const host = `*.${rand()}.foo-long.bar.com`;
      return { literalSubject: `CN=${host},OU=FooLong,OU=Bar,OU=Baz,OU=Dept.,O=Corp.`, dnsNames: [host] };
    },
  },
  { name: 'ECDSA, single Common Name', requires: ['ECDSA', 'CommonName'], spec: () => ({ privateKey: { algorithm: 'ECDSA' }, commonName: `test-common-name-${rand()}` }) },
  { name: 'Ed25519, single Common Name', requires: ['Ed25519', 'CommonName'], spec: () => ({ privateKey: { algorithm: 'Ed25519' }, commonName: `test-common-name-${rand()}` }) },
  { name: 'defines an IP address', requires: ['IPAddresses'], spec: () => ({ ipAddresses: ['127.0.0.1'] }) },
  { name: 'DNS name and IP address', requires: ['OnlySAN', 'IPAddresses'], spec: () => ({ ipAddresses: ['127.0.0.1'], dnsNames: [domain()] }) },
  { name: 'Common Name and IP address', requires: ['CommonName', 'IPAddresses'], spec: () => ({ ipAddresses: ['127.0.0.1'], commonName: `test-common-name-${rand()}` }) },
  { name: 'email address', requires: ['EmailSANs', 'OnlySAN'], spec: () => ({ emailAddresses: ['alice@example.com'] }) },
  { name: 'Common Name and URI SAN', requires: ['URISANs', 'CommonName'], spec: () => ({ uris: [spiffe], commonName: `test-common-name-${rand()}` }) },
  {
    name: 'two distinct DNS names, one copied to the Common Name',
    requires: ['CommonName'],
    spec: () => {
      const cn = domain();
      return { commonName: cn, dnsNames: [cn, domain()] };
    },
  },
  { name: 'distinct DNS name and a different Common Name', requires: ['CommonName'], spec: () => ({ commonName: domain(), dnsNames: [domain()] }) },
  { name: 'DNS name with a duration', requires: ['Duration', 'OnlySAN'], spec: () => ({ dnsNames: [domain()], duration: '896h' }) },
  { name: 'wildcard DNS name', requires: ['Wildcards', 'OnlySAN'], spec: () => ({ dnsNames: [`*.${domain()}`] }) },
  { name: 'only a URI SAN', requires: ['URISANs', 'OnlySAN'], spec: () => ({ uris: [spiffe] }) },
  {
    name: 'arbitrary key usages',
    requires: ['KeyUsages', 'OnlySAN'],
    spec: () => ({ dnsNames: [domain()], usages: ['signing', 'data encipherment', 'server auth', 'client auth'] }),
    extra: (leaf) => {
      for (const usage of ['server auth', 'client auth', 'digital signature', 'data encipherment']) {
        assert.ok(leaf.usages.includes(usage), `${usage} in ${leaf.usages.join(', ')}`);
      }
    },
  },
  { name: 'long domain', requires: ['OnlySAN', 'LongDomain'], spec: () => ({ dnsNames: [`${'a'.repeat(63 - 11)}${rand()}.${rand()}.example.com`] }) },
  {
    name: 'wildcard and its apex',
    requires: ['Wildcards', 'OnlySAN'],
    spec: () => {
      const apex = domain();
      return { dnsNames: [`*.${apex}`, apex] };
    },
  },
];

const REUSE_KEY = 'reuse-private-key';
const UPDATE_DNS = 'update-dns-name';

const dataDir = tempDataDir('certwright-conformance-');
let cluster: LocalCluster;
let manager: Manager;
let vault: VaultDouble;
let vaultCerts: VaultPki;
const work = new Workdir();
const VAULT_SIGN_PATH = 'pki_int/sign/conformance';
const VAULT_ROLE_ID = 'conformance-role-id';
const VAULT_SECRET_ID = randomBytes(16).toString('hex');
/** `namespace/name` → the spec it was created with and its case. */
const created = new Map<string, { suite: Suite; name: string; extra?: Case['extra'] }>();

async function caSecret(namespace: string, name: string): Promise<KubeSecret> {
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 384 });
  const csr = await generateCsr({ commonName: `conformance root CA ${name}`, subject: { organizations: ['certwright conformance'] }, isCA: true, usages: ['cert sign', 'crl sign'] }, key);
  const signed = await selfSignCertificate(csr, { isCA: true, usages: ['cert sign', 'crl sign'], now: new Date(Date.now() - DAY_MS), durationMs: 3650 * DAY_MS }, key);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(signed.certificatePem), 'tls.key': b64(encodePrivateKeyPem(key, 'PKCS8')) },
  };
}

function issuerName(suite: Suite): string {
  return `conformance-${suite.type.toLowerCase()}-${suite.kind.toLowerCase()}`;
}

/** The Vault double as cert-manager's e2e sets Vault up: an intermediate PKI mount and an AppRole that may sign there. */
async function startVault(): Promise<void> {
  vaultCerts = await vaultPki();
  vault = await VaultDouble.start({
    tls: { certificatePem: vaultCerts.serving.certificatePem, keyPem: vaultCerts.serving.keyPem },
    pki: {
      mount: 'pki_int',
      role: 'conformance',
      signer: { certificatePem: vaultCerts.intermediate.certificatePem, key: vaultCerts.intermediate.key },
      caChainPems: [vaultCerts.intermediate.certificatePem, vaultCerts.root.certificatePem],
      maxTtlSeconds: 2160 * 3600,
    },
    policies: { conformance: [VAULT_SIGN_PATH] },
    appRole: { roles: { conformance: { roleId: VAULT_ROLE_ID, secretId: VAULT_SECRET_ID, policies: ['conformance'], ttlSeconds: 3600, renewable: true } } },
  });
}

async function issuerSpecFor(suite: Suite, secretNamespace: string): Promise<{ spec: object; secrets: KubeSecret[] }> {
  const name = issuerName(suite);
  switch (suite.type) {
    case 'ca':
      return { spec: { ca: { secretName: `${name}-root` } }, secrets: [await caSecret(secretNamespace, `${name}-root`)] };
    case 'selfSigned':
      return { spec: { selfSigned: {} }, secrets: [] };
    case 'vault':
      return {
        spec: {
          vault: {
            server: vault.url,
            path: VAULT_SIGN_PATH,
            caBundle: b64(vaultCerts.servingCa.certificatePem),
            auth: { appRole: { roleId: VAULT_ROLE_ID, secretRef: { name: `${name}-approle`, key: 'secretId' } } },
          },
        },
        secrets: [{ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: secretNamespace, name: `${name}-approle` }, type: 'Opaque', data: { secretId: b64(VAULT_SECRET_ID) } }],
      };
  }
}

async function setUpIssuer(suite: Suite): Promise<void> {
  const secretNamespace = suite.kind === 'ClusterIssuer' ? CLUSTER_RESOURCE_NAMESPACE : suite.namespace;
  const { spec, secrets } = await issuerSpecFor(suite, secretNamespace);
  const objects: KubeObject[] = [...secrets];
  objects.push({
    apiVersion: 'cert-manager.io/v1',
    kind: suite.kind,
    metadata: { name: issuerName(suite), ...(suite.kind === 'Issuer' ? { namespace: suite.namespace } : {}) },
    spec,
  });
  await applyManifests(manager.client, objects);
}

async function createCertificate(suite: Suite, name: string, spec: Partial<CertificateSpec>, testName: string, extra?: Case['extra']): Promise<void> {
  const certificate: Certificate = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { namespace: suite.namespace, name, annotations: { 'conformance.cert-manager.io/test-name': testName } },
    spec: { secretName: `${name}-tls`, issuerRef: { name: issuerName(suite), kind: suite.kind, group: 'cert-manager.io' }, ...spec },
  };
  await manager.client.create(CERTIFICATES, certificate);
  created.set(`${suite.namespace}/${name}`, { suite, name, ...(extra ? { extra } : {}) });
}

function isReady(certificate: Certificate | undefined, generation = certificate?.metadata.generation): boolean {
  const conditions = certificate?.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === generation && !conditions.some((c) => c.type === 'Issuing' && c.status === 'True');
}

const waitFor = <T>(check: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> => eventually(check, what, 180_000, 50);

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  await startVault();
  manager = await startManager({
    kubeConfig: cluster.kubeConfig,
    clusterResourceNamespace: CLUSTER_RESOURCE_NAMESPACE,
    logger: createLogger({ level: 'silent' }),
  });
  for (const suite of suites) {
    await applyManifests(manager.client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: suite.namespace } }]);
    await setUpIssuer(suite);
    for (const [i, c] of cases.entries()) {
      if (supportsAll(suite, c.requires)) await createCertificate(suite, `e2e-conformance-${i + 1}`, c.spec(), c.name, c.extra);
    }
    if (supportsAll(suite, ['ReusePrivateKey', 'OnlySAN'])) {
      await createCertificate(suite, REUSE_KEY, { dnsNames: [domain()], privateKey: { rotationPolicy: 'Never' } }, 'Same private key after deletion');
    }
    if (supports(suite, 'OnlySAN')) await createCertificate(suite, UPDATE_DNS, { dnsNames: [domain()] }, 'Update with new DNS name');
  }
  await waitFor(() => {
    const notReady = [...created.keys()].filter((key) => {
      const [namespace, name] = key.split('/');
      return !isReady(manager.informers.certificates.get({ namespace, name: name! }));
    });
    return notReady.length === 0 ? true : undefined;
  }, `all ${created.size} certificates Ready`);
});

after(async () => {
  await manager?.stop();
  await cluster?.close();
  await vault?.close();
  dataDir.remove();
  work.remove();
});

async function fresh(suite: Suite, name: string): Promise<{ certificate: Certificate; secret: KubeSecret }> {
  const certificate = await manager.client.get<Certificate>(CERTIFICATES, { namespace: suite.namespace, name });
  const secret = await manager.client.get<KubeSecret>(SECRETS, { namespace: suite.namespace, name: certificate.spec.secretName });
  return { certificate, secret };
}

const sortedEqual = (actual: readonly string[], expected: readonly string[] | undefined, what: string) =>
  assert.deepEqual([...actual].sort(), [...(expected ?? [])].sort(), what);

/** cert-manager's default validations (`CertificateSetForUnsupportedFeatureSet`), less those of the suite's unsupported features. */
function expectDefaultValidations(suite: Suite, certificate: Certificate, secret: KubeSecret): void {
  const spec = certificate.spec;
  const tlsCrt = text(secret, 'tls.crt');
  assert.ok(tlsCrt, 'ExpectValidCertificate: tls.crt present');
  const chain = parseCertificateChain(tlsCrt);
  const leaf = chain[0]!;
  const literal = spec.literalSubject ? parseLiteralSubject(spec.literalSubject) : undefined;
  const literalValues = (oid: string) => literal?.flat().filter((a) => a.type === oid).map((a) => a.value) ?? [];

  // ExpectCertificateDNSNamesToMatch
  for (const name of spec.dnsNames ?? []) assert.ok(leaf.dnsNames.includes(name), `DNS name ${name} in ${leaf.dnsNames.join(', ')}`);
  // ExpectCertificateOrganizationToMatch
  sortedEqual(leaf.subjectFields.organizations, [...(spec.subject?.organizations ?? []), ...literalValues(OID.organization)], 'organizations');
  // ExpectValidPrivateKeyData
  const key = parsePrivateKey(text(secret, 'tls.key')!);
  assert.deepEqual(privateKeyMatchesSpec(key, spec), [], 'the private key matches spec.privateKey');
  // ExpectValidBasicConstraints
  assert.equal(leaf.isCA, spec.isCA ?? false, 'basicConstraints cA');
  // ExpectValidNotAfterDate
  assert.equal(Date.parse(certificate.status!.notAfter!), leaf.notAfter.getTime(), 'status.notAfter is the certificate NotAfter');
  // ExpectValidKeysInSecret
  const keys = ['tls.key', 'tls.crt', 'ca.crt', 'key.der', 'tls-combined.pem'].filter((k) => secret.data?.[k]);
  assert.ok(keys.length >= 2, `at least two of the expected data keys, got ${keys.join(', ')}`);
  // ExpectValidAnnotations
  assert.equal(secret.metadata.annotations?.['cert-manager.io/certificate-name'], certificate.metadata.name);
  // ExpectConditionReadyObservedGeneration
  assert.ok(isReady(certificate), 'Ready=True at the current generation');
  // ExpectValidCommonName
  const requestedCn = spec.commonName ?? literalValues(OID.commonName)[0];
  if (supports(suite, 'CommonName')) {
    if (requestedCn) assert.equal(leaf.commonName, requestedCn, 'common name');
    else if (leaf.commonName) assert.ok([...leaf.dnsNames, ...leaf.ipAddresses].includes(leaf.commonName), `CN ${leaf.commonName} is one of the SANs`);
  }
  // ExpectCertificateURIsToMatch, ExpectEmailsToMatch, ExpectCertificateIPsToMatch
  if (supports(suite, 'URISANs')) sortedEqual(leaf.uris, spec.uris, 'URI SANs');
  if (supports(suite, 'EmailSANs')) sortedEqual(leaf.emailAddresses, spec.emailAddresses, 'email SANs');
  if (supports(suite, 'IPAddresses')) sortedEqual(leaf.ipAddresses, spec.ipAddresses, 'IP SANs');
  // ExpectDurationToMatch
  const requested = spec.duration === '896h' ? 896 * 3_600_000 : 90 * DAY_MS;
  if (supports(suite, 'Duration')) assert.ok(Math.abs(leaf.notAfter.getTime() - leaf.notBefore.getTime() - requested) <= 30_000, 'duration within 30s of the request');
  if (!supports(suite, 'SaveCAToSecret')) return;
  // ExpectCorrectTrustChain: ca.crt as the roots, the rest of tls.crt as intermediates, for dnsNames[0]
  const caCrt = text(secret, 'ca.crt');
  assert.ok(caCrt, 'ca.crt present');
  const tag = `${certificate.metadata.namespace}-${certificate.metadata.name}`;
  const args = ['verify', '-CAfile', work.write(`${tag}-ca.pem`, caCrt)];
  if (chain.length > 1) args.push('-untrusted', work.write(`${tag}-intermediates.pem`, chain.slice(1).map((c) => c.pem).join('')));
  const host = spec.dnsNames?.[0]?.replace(/^\*\./, 'x.');
  if (host) args.push('-verify_hostname', host);
  args.push(work.write(`${tag}-leaf.pem`, leaf.pem));
  assert.match(work.openssl(args), /: OK/);
  if (!supports(suite, 'SaveRootCAToSecret')) return;
  // ExpectCARootCertificate
  const [root] = parseCertificateChain(caCrt);
  assert.ok(root!.selfIssued, 'ca.crt is a root (subject == issuer)');
}

for (const suite of suites) {
  describe(suite.name, () => {
    for (const [i, c] of cases.entries()) {
      const unsupported = c.requires.filter((f) => !supports(suite, f));
      test(c.name, { skip: unsupported.length > 0 && `unsupported: ${unsupported.join(', ')}` }, async () => {
        const { certificate, secret } = await fresh(suite, `e2e-conformance-${i + 1}`);
        expectDefaultValidations(suite, certificate, secret);
        c.extra?.(parseCertificateChain(text(secret, 'tls.crt')!)[0]!);
        if (certificate.spec.literalSubject) {
          // The issued subject is the literal subject's RDN sequence, in order.
          assert.deepEqual(parseCertificateChain(text(secret, 'tls.crt')!)[0]!.subjectRdns, parseLiteralSubject(certificate.spec.literalSubject));
        }
      });
    }

    test('same private key after the certificate data is deleted (rotationPolicy Never)', { skip: !supportsAll(suite, ['ReusePrivateKey', 'OnlySAN']) }, async () => {
      const before = await fresh(suite, REUSE_KEY);
      const key = text(before.secret, 'tls.key')!;
      await manager.client.patch(SECRETS, { namespace: suite.namespace, name: before.certificate.spec.secretName }, { data: { 'tls.crt': '' } });
      const after = await waitFor(async () => {
        const f = await fresh(suite, REUSE_KEY);
        return f.certificate.status?.revision === 2 && isReady(f.certificate) ? f : undefined;
      }, 're-issuance');
      expectDefaultValidations(suite, after.certificate, after.secret);
      const reissued = parseCertificateChain(text(after.secret, 'tls.crt')!)[0]!;
      assert.equal(text(after.secret, 'tls.key'), key, 'the Secret keeps the same key');
      const publicKey = createPublicKey(parsePrivateKey(key)).export({ type: 'spki', format: 'der' });
      assert.deepEqual(reissued.publicKeyDer, publicKey, 'the new certificate is for the same key');
    });

    test('update with a new DNS name', { skip: !supports(suite, 'OnlySAN') }, async () => {
      const before = await fresh(suite, UPDATE_DNS);
      const dnsNames = [...before.certificate.spec.dnsNames!, domain()];
      await manager.client.patch(CERTIFICATES, { namespace: suite.namespace, name: UPDATE_DNS }, { spec: { dnsNames } });
      const after = await waitFor(async () => {
        const f = await fresh(suite, UPDATE_DNS);
        return f.certificate.metadata.generation === 2 && isReady(f.certificate) && f.certificate.status?.revision === 2 ? f : undefined;
      }, 'the updated certificate Ready');
      expectDefaultValidations(suite, after.certificate, after.secret);
      sortedEqual(parseCertificateChain(text(after.secret, 'tls.crt')!)[0]!.dnsNames, dnsNames, 'both DNS names issued');
    });
  });
}

test('the Vault suites signed through Vault, with one AppRole login per issuer for every readiness check and signing', () => {
  const vaultCertificates = [...created.values()].filter((c) => c.suite.type === 'vault').length;
  assert.ok(vault.count(`/v1/${VAULT_SIGN_PATH}`) >= vaultCertificates, `${vault.count(`/v1/${VAULT_SIGN_PATH}`)} sign calls for ${vaultCertificates} certificates`);
  assert.equal(vault.count('/v1/auth/approle/login'), 2);
});
