/**
 * R4 asks for a bad-input corpus of at least 100 cases, each with the exact error expected: the
 * corpora under test/bad-inputs/ are counted here, so the claim fails when cases are dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PACKAGE_ROOT } from '../../cli/local-cluster.js';

const CORPUS_DIR = join(PACKAGE_ROOT, 'test/bad-inputs');

test('the bad-input corpora hold at least 100 cases, each with an expectation', async () => {
  const files = (await readdir(CORPUS_DIR)).filter((f) => f.endsWith('.yaml'));
  const counts: Record<string, number> = {};
  for (const file of files) {
    const cases = parseAllDocuments(await readFile(join(CORPUS_DIR, file), 'utf8')).map((d) => d.toJS() as { name?: string; expect?: unknown });
    for (const c of cases) assert.ok(c.name && c.expect !== undefined, `${file}: a case without name or expect: ${JSON.stringify(c).slice(0, 120)}`);
    counts[file] = cases.length;
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.ok(total >= 100, `${total} cases: ${JSON.stringify(counts)}`);
});
