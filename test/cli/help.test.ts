import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { run } from '../../cli/commands.js';

function capture(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
  return { stream, text: () => out };
}

test('no arguments prints help and exits 0', async () => {
  const out = capture();
  const err = capture();
  const code = await run([], { stdout: out.stream, stderr: err.stream, argv0: '/usr/bin/certwright' });
  assert.equal(code, 0);
  assert.match(out.text(), /Usage: certwright <command>/);
});

test('unknown command exits 2 and names the command', async () => {
  const out = capture();
  const err = capture();
  const code = await run(['frobnicate'], { stdout: out.stream, stderr: err.stream, argv0: 'certwright' });
  assert.equal(code, 2);
  assert.match(err.text(), /unknown command "frobnicate"/);
});

test('as a kubectl plugin it presents itself as "kubectl certwright"', async () => {
  const out = capture();
  await run(['--help'], { stdout: out.stream, stderr: capture().stream, argv0: '/usr/local/bin/kubectl-certwright' });
  assert.match(out.text(), /Usage: kubectl certwright/);
});
