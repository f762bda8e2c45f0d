/**
 * The Dockerfile cannot be built here (no Docker daemon), so its promises are checked from the
 * text: multi-stage, a supported Node LTS, non-root, and the sources it copies include every
 * top-level folder `certwright` (cli/main.ts and every module it can load) needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const ROOT = process.cwd();
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Top-level folders of every module reachable from `entry` through relative imports (static or dynamic). */
function moduleFolders(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      const target = normalize(join(dirname(file), `${m[1]}.ts`));
      if (existsSync(join(ROOT, target))) pending.push(target);
    }
  }
  return new Set([...seen].map((f) => f.split('/')[0]!));
}

test('multi-stage build on a supported Node LTS; distroless runtime as a non-root user', () => {
  const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
  assert.equal(stages.length, 2);
  const major = Number(/^ARG NODE_MAJOR=(\d+)$/m.exec(dockerfile)?.[1]);
  assert.ok(major >= 22 && major % 2 === 0, `Node ${major} is not an LTS line of 22 or newer`);
  assert.match(stages[1]!, /^gcr\.io\/distroless\/nodejs\$\{NODE_MAJOR\}-debian\d+:nonroot$/);
  assert.match(dockerfile, /^USER 65532:65532$/m);
  assert.match(dockerfile, /npm prune --omit=dev/);
  // The chart passes `run …` as args, which replace CMD: the entrypoint must name the CLI.
  assert.match(dockerfile, /^ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/dist\/cli\/main\.js"\]$/m);
});

test('the image gets every source folder the CLI loads and no tests, and the context keeps them', () => {
  const build = dockerfile.slice(0, dockerfile.lastIndexOf('\nFROM '));
  const copied = new Set([...build.matchAll(/^COPY (\w+) \.\/\1$/gm)].map((m) => m[1]!));
  const needed = moduleFolders('cli/main.ts');
  assert.deepEqual([...needed].filter((f) => !copied.has(f)), [], 'loaded by the CLI but not copied');
  for (const folder of copied) assert.ok(!['test', 'e2e', 'bench', 'deploy'].includes(folder) && existsSync(join(ROOT, folder)), `${folder} copied`);
  for (const folder of [...needed, 'crds']) assert.ok(!dockerignore.includes(folder), `.dockerignore drops ${folder}`);
  assert.ok(dockerignore.includes('node_modules') && dockerignore.includes('test'));
});
