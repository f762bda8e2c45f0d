/** `certwright run`'s HTTP-01 flags: the solver mode (chosen by where it runs unless given) and the token Service. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunFlags } from '../../cli/run.js';

test('the token Service defaults to certwright-http01:80 in --cluster-resource-namespace; the mode is left to the run unless given', () => {
  const flags = parseRunFlags(['--cluster-resource-namespace=infra'], {});
  assert.deepEqual(flags.acme.http01SolverService, { name: 'certwright-http01', namespace: 'infra', port: 80 });
  assert.equal(flags.acme.http01SolverMode, undefined);
  assert.equal(flags.acme.http01IngressPathTypeExact, true);
});

test('mode, Service and the path-type gate are taken from the flags', () => {
  const flags = parseRunFlags(
    [
      '--acme-http01-solver-mode=service',
      '--acme-http01-solver-service-name=acme',
      '--acme-http01-solver-service-namespace=edge',
      '--acme-http01-solver-service-port=8080',
      '--feature-gates=ACMEHTTP01IngressPathTypeExact=false',
    ],
    {},
  );
  assert.equal(flags.acme.http01SolverMode, 'service');
  assert.deepEqual(flags.acme.http01SolverService, { name: 'acme', namespace: 'edge', port: 8080 });
  assert.equal(flags.acme.http01IngressPathTypeExact, false);
});

test('pod mode: image, resources and runAsNonRoot of the solver Pods, cert-manager defaults', () => {
  const defaults = parseRunFlags(['--acme-http01-solver-mode=pod'], {});
  assert.equal(defaults.acme.http01SolverMode, 'pod');
  assert.match(defaults.acme.http01SolverPod!.image, /^ghcr\.io\/certwright\/certwright:\d+\.\d+\.\d+/);
  assert.deepEqual(defaults.acme.http01SolverPod, { image: defaults.acme.http01SolverPod!.image, requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' }, runAsNonRoot: true });
  const given = parseRunFlags(['--acme-http01-solver-image=reg/cw:1', '--acme-http01-solver-resource-limits-memory=128Mi', '--acme-http01-solver-run-as-non-root=false'], {});
  assert.equal(given.acme.http01SolverPod?.image, 'reg/cw:1');
  assert.equal(given.acme.http01SolverPod?.limits.memory, '128Mi');
  assert.equal(given.acme.http01SolverPod?.runAsNonRoot, false);
});

test('an unknown mode, a bad port or a bad quantity is a usage error naming the flag', () => {
  assert.throws(() => parseRunFlags(['--acme-http01-solver-mode=kubelet'], {}), /--acme-http01-solver-mode must be one of local, service, pod, got "kubelet"/);
  assert.throws(() => parseRunFlags(['--acme-http01-solver-resource-request-cpu=lots'], {}), /--acme-http01-solver-resource-request-cpu must be a resource quantity/);
  assert.throws(() => parseRunFlags(['--acme-http01-solver-service-port=0'], {}), /--acme-http01-solver-service-port must be a positive integer/);
});
