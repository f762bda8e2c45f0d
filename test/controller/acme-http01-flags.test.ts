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

test('an unknown mode or a bad port is a usage error naming the flag', () => {
  assert.throws(() => parseRunFlags(['--acme-http01-solver-mode=pod'], {}), /--acme-http01-solver-mode must be one of local, service, got "pod"/);
  assert.throws(() => parseRunFlags(['--acme-http01-solver-service-port=0'], {}), /--acme-http01-solver-service-port must be a positive integer/);
});
