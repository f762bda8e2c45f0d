import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { KubeObject } from '../../../apiserver/admission.js';

/** A fresh data dir, removed when the test ends. */
export async function dataDirFor(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'certwright-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function configMap(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export function configMapKey(name: string, namespace = 'default'): string {
  return `/core/configmaps/${namespace}/${name}`;
}
