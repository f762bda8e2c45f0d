/**
 * Real kubectl (v1.32, /usr/bin/kubectl) against the embedded API server, with certwright's CRDs
 * and admission: what a user of local mode types.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certwrightAdmission } from '../../api/admission.js';
import { callServer } from '../../test/apiserver/harness.js';
import { startApiServer, type ApiServer } from '../../apiserver/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Skips outside CI when kubectl is absent; in CI (`CI=true`) a missing kubectl fails the tests. */
function kubectlMissing(): string | false {
  if (process.env.CI) return false;
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'kubectl is not installed (the machine image ships it at /usr/bin/kubectl)';
  }
}

let server: ApiServer;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', server.kubeconfigPath, '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function ok(args: string[], input?: string): Promise<string> {
  const run = await kubectl(args, input);
  assert.equal(run.code, 0, `kubectl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

async function manifest(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const issuerAndCertificate = `apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: selfsigned
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  labels:
    team: a
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
  issuerRef:
    name: selfsigned
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certwright-e2e-kubectl-'));
  server = await startApiServer({ dataDir: join(dir, 'data'), admission: [certwrightAdmission] });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl against the embedded API server', { skip: kubectlMissing() }, () => {
  test('apply -f crds/ establishes certwright\'s CRDs', async () => {
    const out = await ok(['apply', '-f', join(repoRoot, 'crds', 'all.yaml')]);
    assert.match(out, /customresourcedefinition.apiextensions.k8s.io\/certificates.cert-manager.io created/);
    const established = await ok(['wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', '--timeout=10s']);
    assert.match(established, /condition met/);
  });

  test('apply -f (client-side) creates, then reports unchanged', async () => {
    const path = await manifest('web.yaml', issuerAndCertificate);
    assert.match(await ok(['apply', '-f', path]), /issuer.cert-manager.io\/selfsigned created\ncertificate.cert-manager.io\/web created/);
    assert.match(await ok(['apply', '-f', path]), /certificate.cert-manager.io\/web unchanged/);
  });

  test('get with short names, categories, -o wide|json|yaml', async () => {
    const table = await ok(['get', 'cert']);
    assert.match(table, /^NAME\s+READY\s+SECRET\s+AGE\nweb\s+web-tls\s+\d+s\n$/);
    const wide = await ok(['get', 'certs', '-o', 'wide']);
    assert.match(wide.split('\n')[0]!, /NAME\s+READY\s+SECRET\s+ISSUER\s+STATUS\s+EXPIRATION\s+AGE/);
    assert.match(wide, /web\s+web-tls\s+selfsigned/);
    const category = await ok(['get', 'cert-manager']);
    assert.match(category, /certificate.cert-manager.io\/web/);
    assert.match(category, /issuer.cert-manager.io\/selfsigned/);
    const json = JSON.parse(await ok(['get', 'certificate', 'web', '-o', 'json']));
    assert.equal(json.spec.secretName, 'web-tls');
    assert.match(await ok(['get', 'cert', 'web', '-o', 'yaml']), /secretName: web-tls/);
  });

  test('label, annotate, -l and --field-selector', async () => {
    assert.match(await ok(['label', 'cert', 'web', 'env=prod']), /labeled/);
    assert.match(await ok(['annotate', 'cert', 'web', 'note=hello']), /annotated/);
    assert.match(await ok(['get', 'cert', '-l', 'env=prod', '-o', 'name']), /^certificate.cert-manager.io\/web\n$/);
    assert.equal(await ok(['get', 'cert', '-l', 'env in (dev)', '-o', 'name']), '');
    assert.match(await ok(['get', 'cert', '--field-selector', 'spec.issuerRef.name=selfsigned', '-o', 'name']), /web/);
    const annotations = JSON.parse(await ok(['get', 'cert', 'web', '-o', 'jsonpath={.metadata.annotations}']));
    assert.equal(annotations.note, 'hello');
  });

  test('patch --type merge and --type json', async () => {
    await ok(['patch', 'cert', 'web', '--type', 'merge', '-p', '{"spec":{"dnsNames":["a.example.com"]}}']);
    await ok(['patch', 'cert', 'web', '--type', 'json', '-p', '[{"op":"add","path":"/spec/dnsNames/-","value":"b.example.com"}]']);
    assert.equal(await ok(['get', 'cert', 'web', '-o', 'jsonpath={.spec.dnsNames}']), '["a.example.com","b.example.com"]');
  });

  test('events: get events, describe shows them', async () => {
    const uid = await ok(['get', 'cert', 'web', '-o', 'jsonpath={.metadata.uid}']);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.issuing', namespace: 'default' },
      involvedObject: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'web', namespace: 'default', uid },
      reason: 'Issuing',
      message: 'Issuing certificate as Secret does not exist',
      type: 'Normal',
      source: { component: 'cert-manager-certificates-trigger' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await ok(['create', '-f', '-'], JSON.stringify(event));
    assert.match(await ok(['get', 'events']), /Normal\s+Issuing\s+certificate\/web\s+Issuing certificate as Secret does not exist/);
    const described = await ok(['describe', 'cert', 'web']);
    assert.match(described, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n[\s-]+\n\s+Normal\s+Issuing\s+\S+\s+cert-manager-certificates-trigger\s+Issuing certificate as Secret does not exist/);
  });

  test('wait --for=condition=Ready sees a condition set through /status', async () => {
    const waiting = kubectl(['wait', '--for=condition=Ready', 'cert/web', '--timeout=15s']);
    await new Promise((r) => setTimeout(r, 300));
    const reply = await callServer(server, 'PATCH', '/apis/cert-manager.io/v1/namespaces/default/certificates/web/status', {
      contentType: 'application/merge-patch+json',
      body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
    });
    assert.equal(reply.status, 200, reply.text);
    const run = await waiting;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /certificate.cert-manager.io\/web condition met/);
    assert.match(await ok(['get', 'cert', 'web']), /web\s+True\s+web-tls/);
  });

  test('get -w prints the change as it happens', async () => {
    const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, '--cache-dir', join(dir, 'kube-cache'), 'get', 'cert', '-w']);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const deadline = Date.now() + 10_000;
      while (!/\nweb\s/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await ok(['label', 'cert', 'web', 'watched=yes']);
      while (out.split('\n').filter((l) => l.startsWith('web')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      child.kill();
    }
    assert.equal(out.split('\n').filter((l) => /^web\s+True\s+web-tls/.test(l)).length, 2, out);
  });

  test('apply --server-side, conflicts, --force-conflicts', async () => {
    const path = await manifest('ssa.yaml', issuerAndCertificate.replace('name: web\n', 'name: ssa\n'));
    assert.match(await ok(['apply', '--server-side', '-f', path]), /certificate.cert-manager.io\/ssa serverside-applied/);
    const other = await manifest('ssa-other.yaml', issuerAndCertificate.replace('name: web\n', 'name: ssa\n').replace('web-tls', 'other-tls'));
    const conflict = await kubectl(['apply', '--server-side', '--field-manager', 'someone-else', '-f', other]);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.secretName/);
    await ok(['apply', '--server-side', '--field-manager', 'someone-else', '--force-conflicts', '-f', other]);
    assert.equal(await ok(['get', 'cert', 'ssa', '-o', 'jsonpath={.spec.secretName}']), 'other-tls');
  });

  test('an invalid Certificate is rejected with the validation message', async () => {
    const path = await manifest('bad.yaml', issuerAndCertificate.split('---\n')[1]!.replace('name: web\n', 'name: bad\n').replace('  dnsNames: [web.example.com]\n', '  renewBefore: 1m\n'));
    const run = await kubectl(['apply', '-f', path]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /The Certificate "bad" is invalid: \n\* spec: Invalid value: "": at least one of commonName .* must be set\n\* spec.renewBefore: Invalid value: "1m": certificate renewBefore must be at least 5m0s/);
    const unknown = await kubectl(['apply', '-f', '-'], issuerAndCertificate.split('---\n')[1]!.replace('name: web\n', 'name: typo\n').replace('  secretName', '  secretNam: x\n  secretName'));
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /strict decoding error: unknown field "spec.secretNam"/);
  });

  test('kubectl create (typed clients sending protobuf) for the built-in kinds', async () => {
    await ok(['create', 'namespace', 'made']);
    await ok(['create', 'secret', 'generic', 'creds', '-n', 'made', '--from-literal=user=admin', '--type=example.io/creds']);
    assert.equal(await ok(['get', 'secret', 'creds', '-n', 'made', '-o', 'jsonpath={.type} {.data.user}']), `example.io/creds ${Buffer.from('admin').toString('base64')}`);
    await ok(['create', 'configmap', 'settings', '-n', 'made', '--from-literal=level=debug']);
    assert.equal(await ok(['get', 'configmap', 'settings', '-n', 'made', '-o', 'jsonpath={.data.level}']), 'debug');
    await ok(['create', 'serviceaccount', 'robot', '-n', 'made']);
    assert.match(await ok(['create', 'token', 'robot', '-n', 'made', '--duration=15m']), /^cw-sa\.\S{20,}\n?$/);
    await ok(['create', 'service', 'clusterip', 'web', '-n', 'made', '--tcp=80:8080']);
    assert.equal(await ok(['get', 'service', 'web', '-n', 'made', '-o', 'jsonpath={.spec.ports[0].targetPort} {.spec.selector.app}']), '8080 web');
    await ok(['create', 'ingress', 'web', '-n', 'made', '--class=nginx', '--rule=web.example.com/*=web:80,tls=web-tls']);
    assert.equal(await ok(['get', 'ingress', 'web', '-n', 'made', '-o', 'jsonpath={.spec.rules[0].host} {.spec.tls[0].secretName}']), 'web.example.com web-tls');
    assert.match(await ok(['get', 'secrets,configmaps,sa,svc,ingress', '-n', 'made']), /secret\/creds\s+example.io\/creds\s+1/);
  });

  test('delete --cascade=foreground waits for blocking dependents', async () => {
    const uid = await ok(['get', 'cert', 'web', '-o', 'jsonpath={.metadata.uid}']);
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-tls', finalizers: ['example.io/hold'], ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'web', uid, blockOwnerDeletion: true }] },
    };
    await ok(['create', '-f', '-'], JSON.stringify(secret));
    const deleting = kubectl(['delete', 'cert', 'web', '--cascade=foreground', '--timeout=15s']);
    const deadline = Date.now() + 10_000;
    while (!(await ok(['get', 'secret', 'web-tls', '-o', 'jsonpath={.metadata.deletionTimestamp}'])) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await ok(['get', 'cert', 'web', '-o', 'jsonpath={.metadata.finalizers}']), '["foregroundDeletion"]');
    await ok(['patch', 'secret', 'web-tls', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    const run = await deleting;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /certificate.cert-manager.io "web" deleted/);
    assert.equal(await ok(['get', 'cert,secret', '-o', 'name']), 'certificate.cert-manager.io/ssa\n');
    assert.match(await ok(['delete', 'cert', 'ssa']), /deleted/);
  });
});
