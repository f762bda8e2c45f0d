import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { withDecision } from '../../cli/approval.js';
import { isKubectlPlugin, programName } from '../../cli/commands.js';
import { completionScript } from '../../cli/completion.js';
import { certificateRequestFor, requestProgress } from '../../cli/create.js';
import { kubeConfigSource } from '../../cli/kube.js';
import { formatStructured, outputFormat, painter, relativeTime, renderTable, wantsColour } from '../../cli/output.js';
import { withRenewalRequested } from '../../cli/renew.js';
import { UsageError } from '../../cli/usage.js';
import { certificate, condition, request } from './fixtures.js';

test('kubectl plugin naming: kubectl-NAME and kubectl_NAME executables', () => {
  assert.equal(isKubectlPlugin('/usr/local/bin/kubectl-certwright'), true);
  assert.equal(isKubectlPlugin('/usr/local/bin/kubectl_certwright'), true);
  assert.equal(isKubectlPlugin('/opt/certwright/dist/cli/main.js'), false);
  assert.equal(programName('kubectl-certwright'), 'kubectl certwright');
  assert.equal(programName('certwright'), 'certwright');
});

test('kubeconfig source: --kubeconfig, --data-dir, $KUBECONFIG or ~/.kube/config, in-cluster, then local mode; else a clear error', () => {
  const none = () => false;
  assert.deepEqual(kubeConfigSource({ kubeconfig: '/k' }, { KUBECONFIG: '/other' }, none), { kind: 'file', path: '/k' });
  assert.deepEqual(kubeConfigSource({ 'data-dir': 'd' }, { KUBECONFIG: '/other' }, none), { kind: 'file', path: resolve('d', 'kubeconfig') });
  assert.deepEqual(kubeConfigSource({}, { KUBECONFIG: '/other' }, none), { kind: 'default' });
  assert.deepEqual(kubeConfigSource({}, {}, (p) => p === join(homedir(), '.kube', 'config')), { kind: 'default' });
  assert.deepEqual(kubeConfigSource({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, (p) => p.endsWith('serviceaccount/token')), { kind: 'in-cluster' });
  assert.deepEqual(kubeConfigSource({}, {}, (p) => p === resolve('.data', 'kubeconfig')), { kind: 'file', path: resolve('.data', 'kubeconfig') });
  assert.throws(() => kubeConfigSource({}, {}, none), /no cluster configured: pass --kubeconfig, set \$KUBECONFIG, or start local mode/);
});

test('renew sets Issuing=True ManuallyTriggered with the generation, and leaves an issuing Certificate alone', () => {
  const renewed = withRenewalRequested(certificate(), Date.parse('2030-01-01T00:00:00Z'))!;
  const issuing = renewed.status!.conditions!.find((c) => c.type === 'Issuing')!;
  assert.deepEqual(issuing, {
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message: 'Certificate re-issuance manually triggered',
    lastTransitionTime: '2030-01-01T00:00:00Z',
    observedGeneration: 1,
  });
  assert.ok(renewed.status!.conditions!.some((c) => c.type === 'Ready'), 'other conditions are kept');
  assert.equal(withRenewalRequested(renewed, Date.now()), undefined);
});

test('approve/deny add their condition once; an approved or denied request is refused', () => {
  const approved = withDecision(request(1), 'approve', 'KubectlCertwright', 'manually approved', Date.parse('2030-01-01T00:00:00Z'));
  assert.deepEqual(approved.status!.conditions, [
    { type: 'Approved', status: 'True', reason: 'KubectlCertwright', message: 'manually approved', lastTransitionTime: '2030-01-01T00:00:00Z' },
  ]);
  assert.throws(() => withDecision(approved, 'deny', 'R', 'm', Date.now()), /CertificateRequest apps\/web-1 already has a Approved condition/);
  const denied = withDecision(request(2), 'deny', 'PolicyDenied', 'no', Date.now());
  assert.equal(denied.status!.conditions![0]!.type, 'Denied');
  assert.throws(() => withDecision(denied, 'approve', 'R', 'm', Date.now()), /already has a Denied condition/);
});

test('create: the request carries the manifest issuer, usages, duration and metadata; progress reads its conditions', () => {
  const source = certificate();
  source.metadata.labels = { app: 'web' };
  source.spec.usages = ['server auth'];
  source.spec.duration = '24h';
  const built = certificateRequestFor(source, 'mine', 'other', '-----BEGIN CERTIFICATE REQUEST-----\n');
  assert.deepEqual(built.metadata, { name: 'mine', namespace: 'other', labels: { app: 'web' } });
  assert.deepEqual(built.spec, { issuerRef: { name: 'ca' }, request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\n').toString('base64'), duration: '24h', usages: ['server auth'] });

  assert.deepEqual(requestProgress(request(1)), { state: 'waiting', on: 'approval' });
  const approved = condition('Approved', 'True', 'x');
  assert.deepEqual(requestProgress(request(1, [approved, condition('Ready', 'False', 'Pending', 'Issuer not ready')])), { state: 'waiting', on: 'Issuer not ready' });
  assert.deepEqual(requestProgress(request(1, [condition('Denied', 'True', 'No', 'not allowed')])), { state: 'failed', why: 'No: not allowed' });
  const issued = request(1, [approved, condition('Ready', 'True', 'Issued', 'ok')]);
  issued.status!.certificate = 'Y2VydA==';
  assert.deepEqual(requestProgress(issued), { state: 'issued' });
});

test('output: -o json|yaml only; tables align cells that carry colour codes', () => {
  assert.equal(outputFormat(undefined), undefined);
  assert.equal(outputFormat('yaml'), 'yaml');
  assert.throws(() => outputFormat('wide'), (err: unknown) => err instanceof UsageError && /--output must be one of json, yaml, got "wide"/.test(err.message));
  assert.equal(formatStructured({ a: 1 }, 'json'), '{\n  "a": 1\n}\n');
  assert.equal(formatStructured({ a: [1] }, 'yaml'), 'a:\n  - 1\n');
  const paint = painter(true);
  const table = renderTable(['NAME', 'READY', 'MESSAGE'], [[paint('bad', 'web'), 'False', 'x'], ['api-server', paint('good', 'True'), 'y']]);
  const plain = table.replace(/\x1b\[[0-9;]*m/g, '');
  assert.equal(plain, 'NAME        READY  MESSAGE\nweb         False  x\napi-server  True   y');
  assert.equal(painter(false)('bad', 'x'), 'x');
});

test('colours only on a terminal, never with NO_COLOR', () => {
  const tty = { isTTY: true } as unknown as NodeJS.WritableStream;
  const pipe = {} as NodeJS.WritableStream;
  assert.equal(wantsColour(tty, {}), true);
  assert.equal(wantsColour(tty, { NO_COLOR: '1' }), false);
  assert.equal(wantsColour(pipe, {}), false);
  assert.equal(wantsColour(pipe, { FORCE_COLOR: '1' }), true);
});

test('relativeTime rounds down to the largest unit', () => {
  assert.equal(relativeTime(0, 90 * 60_000), '1h ago');
  assert.equal(relativeTime(3 * 86_400_000 + 5, 0), 'in 3d');
  assert.equal(relativeTime(0, 0), 'in 0s');
});

test('completion scripts offer the commands and their first argument', () => {
  const words = { commands: ['status', 'renew', 'completion'], after: { status: ['certificate'], completion: ['bash', 'zsh', 'fish'] } };
  const bash = completionScript('bash', words);
  assert.match(bash, /words="status renew completion"/);
  assert.match(bash, /status\) words="certificate" ;;/);
  assert.match(bash, /complete -F _certwright certwright/);
  assert.match(completionScript('zsh', words), /^# certwright zsh completion.*\nautoload -U \+X bashcompinit && bashcompinit\n/);
  assert.match(completionScript('fish', words), /complete -c certwright -f -n "__fish_seen_subcommand_from status" -a "certificate"/);
});

test('version prints the package version; completion is refused as a kubectl plugin', async () => {
  await import('../../cli/version.js');
  await import('../../cli/completion.js');
  const { run } = await import('../../cli/commands.js');
  const { Writable } = await import('node:stream');
  const capture = () => {
    let text = '';
    return { stream: new Writable({ write: (chunk, _enc, cb) => ((text += String(chunk)), cb()) }), text: () => text };
  };
  const out = capture();
  assert.equal(await run(['version', '-o', 'json'], { stdout: out.stream, stderr: capture().stream, argv0: 'certwright' }), 0);
  assert.equal((JSON.parse(out.text()) as { clientVersion: { version: string } }).clientVersion.version, '0.1.0');
  const err = capture();
  assert.equal(await run(['completion', 'bash'], { stdout: capture().stream, stderr: err.stream, argv0: '/usr/bin/kubectl-certwright' }), 1);
  assert.match(err.text(), /not available as a kubectl plugin/);
  const script = capture();
  assert.equal(await run(['completion', 'fish'], { stdout: script.stream, stderr: capture().stream, argv0: 'certwright' }), 0);
  assert.match(script.text(), /__fish_use_subcommand -a "help [^"]*\bversion\b/);
  assert.equal(await run(['completion', 'tcsh'], { stdout: capture().stream, stderr: capture().stream, argv0: 'certwright' }), 2);
});
