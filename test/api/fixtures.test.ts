import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { resourceFor } from '../../api/resources.js';
import type { Certificate, ClusterIssuer } from '../../api/types.js';
import { messages } from './builders.js';

// Compiled to <outDir>/test/api/; the fixtures stay in the source tree.
const fixtures = fileURLToPath(new URL('../../../test/api/fixtures/', import.meta.url));

async function load(name: string): Promise<{ apiVersion: string; kind: string }[]> {
  const docs = parseAllDocuments(await readFile(`${fixtures}${name}`, 'utf8'));
  return docs.map((d) => d.toJS());
}

function validate(object: { apiVersion: string; kind: string }): string[] {
  const resource = resourceFor(object.apiVersion.split('/')[0]!, object.kind);
  assert.ok(resource, `${object.kind} is a certwright kind`);
  return messages(resource.validate(object));
}

for (const name of ['letsencrypt-clusterissuer.yaml', 'ca-issuer.yaml', 'selfsigned-ca-chain.yaml', 'certificate-with-usages.yaml']) {
  test(`cert-manager docs manifest ${name} is valid`, async () => {
    const objects = await load(name);
    assert.ok(objects.length > 0);
    for (const object of objects) assert.deepEqual(validate(object), [], `${object.kind} in ${name}`);
  });
}

test('the Let\'s Encrypt ClusterIssuer reads as typed objects', async () => {
  const [issuer] = (await load('letsencrypt-clusterissuer.yaml')) as ClusterIssuer[];
  const solvers = issuer!.spec.acme!.solvers!;
  assert.equal(solvers.length, 3);
  assert.equal(solvers[0]!.http01!.ingress!.ingressClassName, 'nginx');
  assert.deepEqual(solvers[1]!.selector!.dnsZones, ['example.com']);
  assert.equal(solvers[1]!.dns01!.route53!.secretAccessKeySecretRef!.key, 'secret-access-key');
  assert.equal(solvers[2]!.dns01!.route53!.auth!.kubernetes.serviceAccountRef.name, 'cert-manager-route53');
});

test('the self-signed chain: a CA Certificate from a SelfSigned ClusterIssuer backs a CA Issuer', async () => {
  const [root, ca, caIssuer] = await load('selfsigned-ca-chain.yaml');
  assert.deepEqual([root!.kind, ca!.kind, caIssuer!.kind], ['ClusterIssuer', 'Certificate', 'Issuer']);
  assert.equal((ca as Certificate).spec.isCA, true);
  assert.equal((ca as Certificate).spec.secretName, (caIssuer as ClusterIssuer).spec.ca!.secretName);
});

test('a broken Certificate reports every mistake in one call', async () => {
  const [broken] = await load('invalid-certificate.yaml');
  assert.deepEqual(validate(broken!), [
    `spec.secretName: Invalid value: "Broken_Secret": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    'spec.issuerRef.name: Required value: must be specified',
    'spec.issuerRef.kind: Invalid value: "VaultIssuer": must be one of Issuer or ClusterIssuer (did you forget to set spec.issuerRef.group?)',
    'spec.commonName: Invalid value: "example.com": When providing a `LiteralSubject` no `commonName` may be provided.',
    'spec.emailAddresses[0]: Invalid value: "John Doe <john.doe@cert-manager.io>": invalid email address: make sure the supplied value only contains the email address itself',
    'spec.privateKey.size: Unsupported value: 2048: supported values: "256", "384", "521"',
    'spec.duration: Invalid value: "30m": certificate duration must be at least 1h0m0s',
    'spec.renewBefore: Invalid value: "1m": certificate renewBefore must be at least 5m0s',
    'spec.nameConstraints: Invalid value: {"permitted":{"ipRanges":["10.0.0.0/40"]}}: isCa should be true when nameConstraints is set',
    'spec.nameConstraints.permitted.ipRanges[0]: Invalid value: "10.0.0.0/40": must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32',
    'spec.keystores.jks: Forbidden: must set exactly one of passwordSecretRef and password for JKS keystores',
    'spec.renewal.windows: Forbidden: windows cannot be set when `renewal.policy` is set to Disabled',
  ]);
});
