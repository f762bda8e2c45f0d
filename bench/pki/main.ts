/**
 * pki/ benchmark: key generation, CSR generation, signing and parsing per key type, measured
 * sequentially, plus key generation with two in flight (it runs off the event loop, so two cores
 * should overlap). Prints a table and writes bench/results/pki.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { KeyObject } from 'node:crypto';
import { generateCsr, generatePrivateKey, parseCertificate, selfSignCertificate, signCertificate, type KeySpec } from '../../pki/index.js';

interface KeyType {
  name: string;
  spec: KeySpec;
  /** Operation counts, scaled so slow key types still finish in seconds. */
  keygenOps: number;
  ops: number;
}

const keyTypes: KeyType[] = [
  { name: 'RSA 2048', spec: { algorithm: 'RSA', size: 2048 }, keygenOps: 16, ops: 200 },
  { name: 'RSA 4096', spec: { algorithm: 'RSA', size: 4096 }, keygenOps: 6, ops: 50 },
  { name: 'ECDSA P-256', spec: { algorithm: 'ECDSA', size: 256 }, keygenOps: 400, ops: 400 },
  { name: 'ECDSA P-384', spec: { algorithm: 'ECDSA', size: 384 }, keygenOps: 400, ops: 300 },
  { name: 'Ed25519', spec: { algorithm: 'Ed25519' }, keygenOps: 400, ops: 400 },
];

interface Result {
  keyType: string;
  operation: 'keygen' | 'csr' | 'sign' | 'parse';
  mode: 'sequential' | 'concurrency 2';
  ops: number;
  totalMs: number;
  opsPerSec: number;
  usPerOp: number;
}

async function measure(ops: number, concurrency: number, op: () => Promise<unknown> | unknown): Promise<{ totalMs: number }> {
  await op(); // warm-up: first-call costs (imports, JIT) are not what we measure
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < ops) {
      next++;
      await op();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { totalMs: performance.now() - start };
}

function result(keyType: string, operation: Result['operation'], mode: Result['mode'], ops: number, totalMs: number): Result {
  return { keyType, operation, mode, ops, totalMs: round(totalMs), opsPerSec: round((ops * 1000) / totalMs), usPerOp: round((totalMs * 1000) / ops) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function benchKeyType(type: KeyType, leafCsr: string): Promise<Result[]> {
  const results: Result[] = [];
  for (const [mode, concurrency] of [['sequential', 1], ['concurrency 2', 2]] as const) {
    const { totalMs } = await measure(type.keygenOps, concurrency, () => generatePrivateKey(type.spec));
    results.push(result(type.name, 'keygen', mode, type.keygenOps, totalMs));
  }
  const key: KeyObject = await generatePrivateKey(type.spec);
  const spec = { commonName: 'bench.example.com', dnsNames: ['bench.example.com', 'www.bench.example.com'], ipAddresses: ['192.0.2.1'] };
  results.push(result(type.name, 'csr', 'sequential', type.ops, (await measure(type.ops, 1, () => generateCsr(spec, key))).totalMs));
  const ca = await selfSignCertificate(await generateCsr({ commonName: `Bench CA ${type.name}`, isCA: true }, key), { isCA: true }, key);
  const signer = { certificate: ca.certificatePem, privateKey: key };
  results.push(result(type.name, 'sign', 'sequential', type.ops, (await measure(type.ops, 1, () => signCertificate(leafCsr, {}, signer))).totalMs));
  const issued = (await signCertificate(leafCsr, {}, signer)).certificate.pem;
  const parseOps = type.ops * 5;
  results.push(result(type.name, 'parse', 'sequential', parseOps, (await measure(parseOps, 1, () => parseCertificate(issued))).totalMs));
  return results;
}

function table(results: Result[]): string {
  const header = ['key type', 'operation', 'mode', 'ops', 'ops/s', 'µs/op'];
  const rows = results.map((r) => [r.keyType, r.operation, r.mode, String(r.ops), r.opsPerSec.toFixed(1), r.usPerOp.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const leafKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  const leafCsr = await generateCsr({ commonName: 'leaf.example.com', dnsNames: ['leaf.example.com'] }, leafKey);
  const results: Result[] = [];
  for (const type of keyTypes) results.push(...(await benchKeyType(type, leafCsr)));
  console.log(table(results));
  const output = fileURLToPath(new URL('../../../bench/results/pki.json', import.meta.url));
  mkdirSync(dirname(output), { recursive: true });
  const report = { benchmark: 'pki', generatedAt: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', results };
  writeFileSync(output, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${output}`);
}

await main();
