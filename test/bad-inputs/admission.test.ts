/**
 * R4 bad input, API side: every object in `admission.yaml` is rejected by the embedded API server
 * (certwright's CRDs and admission) with exactly the message the corpus records, and nothing of it
 * is stored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PACKAGE_ROOT, startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { callServer } from '../apiserver/harness.js';
import { tempDataDir } from '../controller/certificates/reconciler-harness.js';

interface BadInput {
  name: string;
  expect: string;
  status?: number;
  query?: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
}

const NAMESPACE = 'bad-inputs';
const PLURALS: Record<string, string> = {
  Certificate: 'certificates',
  CertificateRequest: 'certificaterequests',
  Issuer: 'issuers',
  ClusterIssuer: 'clusterissuers',
};

const corpus = parseAllDocuments(await readFile(join(PACKAGE_ROOT, 'test/bad-inputs/admission.yaml'), 'utf8')).map((d) => d.toJS() as BadInput);

function collectionPath({ apiVersion, kind, metadata }: BadInput['object']): string {
  const plural = PLURALS[kind];
  assert.ok(plural, `corpus kind ${kind} has no plural here`);
  const namespaced = metadata.namespace ? `/namespaces/${metadata.namespace}` : '';
  return `/apis/${apiVersion}${namespaced}/${plural}`;
}

let cluster: LocalCluster;
let removeDir: () => void;

before(async () => {
  const dir = tempDataDir('certwright-bad-inputs-');
  removeDir = dir.remove;
  cluster = await startLocalCluster({ dataDir: dir.path });
  const created = await callServer(cluster.server, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } });
  assert.equal(created.status, 201);
});

after(async () => {
  await cluster?.close();
  removeDir?.();
});

test('the corpus has a case per name and enough of them', () => {
  assert.ok(corpus.length >= 60, `${corpus.length} cases`);
  assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length, 'case names are unique');
});

for (const badInput of corpus) {
  test(`rejected: ${badInput.name}`, async () => {
    const path = collectionPath(badInput.object);
    const reply = await callServer(cluster.server, 'POST', `${path}${badInput.query ? `?${badInput.query}` : ''}`, { body: badInput.object });
    assert.equal(reply.status, badInput.status ?? 422, reply.text);
    assert.equal(reply.json?.kind, 'Status');
    assert.equal(reply.json?.message, badInput.expect);
    const stored = await callServer(cluster.server, 'GET', `${path}/${badInput.object.metadata.name}`);
    assert.equal(stored.status, 404, 'a rejected object is not stored');
  });
}
