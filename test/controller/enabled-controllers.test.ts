import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CERTWRIGHT_CONTROLLERS, enabledControllers } from '../../controller/enabled-controllers.js';

const sorted = (set: Set<string>) => [...set].sort();

test('* is every controller; -name removes one; only removals imply *', () => {
  assert.deepEqual(sorted(enabledControllers(['*'])), [...CERTWRIGHT_CONTROLLERS].sort());
  const withoutApprover = [...CERTWRIGHT_CONTROLLERS].filter((c) => c !== 'certificaterequests-approver').sort();
  assert.deepEqual(sorted(enabledControllers(['*', '-certificaterequests-approver'])), withoutApprover);
  assert.deepEqual(sorted(enabledControllers(['-certificaterequests-approver'])), withoutApprover);
});

test('a plain list enables exactly those; cert-manager stage names mean the one certificates controller', () => {
  assert.deepEqual(sorted(enabledControllers(['issuers', 'certificates-trigger'])), ['certificates', 'issuers']);
  assert.deepEqual(sorted(enabledControllers(['*', '-certificates-readiness'])).includes('certificates'), false);
});

test("cert-manager's controllers certwright does not have are accepted and ignored; unknown names are errors", () => {
  assert.deepEqual(sorted(enabledControllers(['*', '-listenerset', '-certificatesigningrequests-issuer-acme'])), [...CERTWRIGHT_CONTROLLERS].sort());
  assert.deepEqual(sorted(enabledControllers(['*', 'cainjector'])), [...CERTWRIGHT_CONTROLLERS, 'cainjector'].sort(), 'cainjector is opt-in');
  assert.throws(() => enabledControllers(['*', 'ingress-shimm']), /unknown controller\(s\) in --controllers: ingress-shimm; known: \*, issuers/);
});
