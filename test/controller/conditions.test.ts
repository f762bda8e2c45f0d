import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from '../../api/types.js';
import { conditionUpToDate, hasCondition, withCondition } from '../../controller/conditions.js';

const T0 = Date.UTC(2025, 0, 1);
const T1 = T0 + 60_000;

describe('conditions', () => {
  it('adds a condition with lastTransitionTime now', () => {
    const conditions = withCondition(undefined, { type: 'Ready', status: 'False', reason: 'Pending', message: 'wait' }, T0);
    assert.deepEqual(conditions, [{ type: 'Ready', status: 'False', reason: 'Pending', message: 'wait', lastTransitionTime: '2025-01-01T00:00:00Z' }]);
  });

  it('keeps lastTransitionTime while the status stays, moves it when the status changes, and leaves other types alone', () => {
    const approved: Condition = { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'ok', lastTransitionTime: '2024-01-01T00:00:00Z' };
    const start = withCondition([approved], { type: 'Ready', status: 'False', reason: 'Pending', message: 'a' }, T0);
    const sameStatus = withCondition(start, { type: 'Ready', status: 'False', reason: 'Failed', message: 'b', observedGeneration: 2 }, T1);
    assert.equal(sameStatus[1]!.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(sameStatus[1]!.reason, 'Failed');
    assert.equal(sameStatus[1]!.observedGeneration, 2);
    const flipped = withCondition(sameStatus, { type: 'Ready', status: 'True', reason: 'Issued', message: 'c' }, T1);
    assert.equal(flipped[1]!.lastTransitionTime, '2025-01-01T00:01:00Z');
    assert.deepEqual(flipped[0], approved);
    assert.equal(start.length, 2, 'the input list is not modified');
    assert.ok(hasCondition(flipped, 'Ready'));
    assert.ok(!hasCondition(flipped, 'Denied'));
  });

  it('is up to date only when status, reason, message and observedGeneration all match', () => {
    const conditions = withCondition(undefined, { type: 'Ready', status: 'True', reason: 'KeyPairVerified', message: 'Signing CA verified', observedGeneration: 1 }, T0);
    const same = { type: 'Ready', status: 'True' as const, reason: 'KeyPairVerified', message: 'Signing CA verified', observedGeneration: 1 };
    assert.ok(conditionUpToDate(conditions, same));
    assert.ok(!conditionUpToDate(conditions, { ...same, observedGeneration: 2 }));
    assert.ok(!conditionUpToDate(conditions, { ...same, message: 'x' }));
    assert.ok(!conditionUpToDate(conditions, { ...same, status: 'False' }));
    assert.ok(!conditionUpToDate(undefined, same));
  });
});
