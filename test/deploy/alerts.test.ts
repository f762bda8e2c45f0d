import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { promtoolSkip, runPromtool } from '../../controller/observability/promtool.js';

const rulesDir = join(process.cwd(), 'deploy/prometheus');

test('the sharding alert rules are valid and their promtool unit tests pass', { skip: promtoolSkip() }, async () => {
  const check = await runPromtool(['check', 'rules', 'certwright-sharding-alerts.yaml'], { cwd: rulesDir });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const unit = await runPromtool(['test', 'rules', 'certwright-sharding-alerts.test.yaml'], { cwd: rulesDir });
  assert.equal(unit.code, 0, unit.stdout + unit.stderr);
  assert.match(unit.stdout, /SUCCESS/);
});
