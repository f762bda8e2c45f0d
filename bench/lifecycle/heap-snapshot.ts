/**
 * What a V8 heap snapshot (`node --heapsnapshot-signal`, `v8.writeHeapSnapshot()`) holds: self size
 * summed per constructor (objects), per kind (arrays, code, closures), and strings per the property
 * that holds them — so "the CertificateRequests' `request` texts" shows as one line.
 *
 *   node dist/bench/lifecycle/heap-snapshot.js FILE.heapsnapshot [--top N]
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderTable } from './report.js';

/** The parts of V8's `.heapsnapshot` format this reads. */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapGroup {
  what: string;
  count: number;
  bytes: number;
}

export interface HeapSnapshotSummary {
  totalBytes: number;
  nodes: number;
  groups: HeapGroup[];
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);
const NAMED_EDGE_TYPES = new Set(['property', 'internal', 'context', 'shortcut']);

/** Self size per group, largest first; strings grouped by the first named edge that points at them. */
export function summarizeHeapSnapshot(snapshot: HeapSnapshot, top = 40): HeapSnapshotSummary {
  const { meta } = snapshot.snapshot;
  const nodeFieldCount = meta.node_fields.length;
  const [typeField, nameField, selfSizeField, edgeCountField] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f)) as [number, number, number, number];
  const edgeFieldCount = meta.edge_fields.length;
  const [edgeTypeField, edgeNameField, toNodeField] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [number, number, number];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = snapshot;
  const nodeCount = nodes.length / nodeFieldCount;

  // For each string node, the name of the first named edge pointing at it.
  const holderName = new Int32Array(nodeCount).fill(-1);
  for (let node = 0, edge = 0; node < nodeCount; node++) {
    const edgeCount = nodes[node * nodeFieldCount + edgeCountField]!;
    for (let i = 0; i < edgeCount; i++, edge += edgeFieldCount) {
      const to = edges[edge + toNodeField]! / nodeFieldCount;
      if (holderName[to] !== -1 || !NAMED_EDGE_TYPES.has(edgeTypes[edges[edge + edgeTypeField]!]!)) continue;
      if (STRING_TYPES.has(nodeTypes[nodes[to * nodeFieldCount + typeField]!]!)) holderName[to] = edges[edge + edgeNameField]!;
    }
  }

  const groups = new Map<string, HeapGroup>();
  let totalBytes = 0;
  for (let node = 0; node < nodeCount; node++) {
    const base = node * nodeFieldCount;
    const type = nodeTypes[nodes[base + typeField]!]!;
    const name = strings[nodes[base + nameField]!]!;
    const bytes = nodes[base + selfSizeField]!;
    totalBytes += bytes;
    const what = STRING_TYPES.has(type)
      ? `(string) .${holderName[node] === -1 ? '?' : strings[holderName[node]!]}`
      : type === 'object' || type === 'native'
        ? name
        : `(${type}) ${type === 'closure' || type === 'hidden' || type === 'array' ? name.slice(0, 60) : ''}`.trimEnd();
    const group = groups.get(what) ?? { what, count: 0, bytes: 0 };
    group.count++;
    group.bytes += bytes;
    groups.set(what, group);
  }
  return { totalBytes, nodes: nodeCount, groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top) };
}

export function renderHeapSnapshotSummary(summary: HeapSnapshotSummary): string {
  const MiB = 1024 * 1024;
  const rows = summary.groups.map((g) => [g.what, String(g.count), (g.bytes / MiB).toFixed(2), ((100 * g.bytes) / summary.totalBytes).toFixed(1)]);
  return `${(summary.totalBytes / MiB).toFixed(1)} MiB in ${summary.nodes} nodes, by self size\n${renderTable(['what', 'count', 'MiB', '%'], rows)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, flag, top] = process.argv.slice(2);
  if (!file || (flag !== undefined && flag !== '--top')) {
    process.stderr.write('Usage: node heap-snapshot.js FILE.heapsnapshot [--top N]\n');
    process.exitCode = 2;
  } else {
    const snapshot = JSON.parse(await readFile(file, 'utf8')) as HeapSnapshot;
    process.stdout.write(`${renderHeapSnapshotSummary(summarizeHeapSnapshot(snapshot, top ? Number(top) : undefined))}\n`);
  }
}
