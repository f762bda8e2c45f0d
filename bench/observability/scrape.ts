/**
 * /metrics scrape cost at 10k and 50k Certificates: building the exposition in-process (cold: every
 * object new since the last scrape; warm: unchanged cache) and a full HTTP scrape with gzip, as
 * Prometheus does it. Prints a table and writes bench/results/observability-scrape.json.
 *
 *   npx tsc && node dist/bench/observability/scrape.js
 */
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startMetricsServer } from '../../controller/observability/http.js';
import { createControllerMetrics, type CertificateForMetrics, type ChallengeForMetrics } from '../../controller/observability/metrics.js';

const RESULTS_FILE = fileURLToPath(new URL('../../../bench/results/observability-scrape.json', import.meta.url));
const SIZES = [10_000, 50_000];
const RUNS = 7;

function certificates(count: number): CertificateForMetrics[] {
  const day = 86_400_000;
  return Array.from({ length: count }, (_, i) => {
    const notBefore = Date.UTC(2026, 0, 1) + (i % 60) * day;
    return {
      metadata: { name: `app-${i}-tls`, namespace: `team-${i % 100}` },
      spec: { issuerRef: { name: i % 2 ? 'internal-ca' : 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
      status: {
        conditions: [{ type: 'Ready', status: i % 50 ? 'True' : 'False' }],
        notBefore: new Date(notBefore).toISOString(),
        notAfter: new Date(notBefore + 90 * day).toISOString(),
        renewalTime: new Date(notBefore + 60 * day).toISOString(),
      },
    };
  });
}

function challenges(count: number): ChallengeForMetrics[] {
  return Array.from({ length: count }, (_, i) => ({
    metadata: { name: `app-${i}-tls-1-2-3`, namespace: `team-${i % 100}` },
    spec: { dnsName: `app-${i}.example.com`, type: 'HTTP-01' },
    status: { state: 'pending', processing: true },
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** One HTTP scrape as Prometheus makes it (gzip accepted); resolves with the bytes on the wire. */
function scrapeOverHttp(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve(bytes));
    })
      .on('error', reject)
      .end();
  });
}

async function measure(count: number) {
  // 1% of certificates mid-ACME-challenge; cold scrapes swap in fresh objects, as after a relist.
  let certs = certificates(count);
  let challengeList = challenges(count / 100);
  const metrics = createControllerMetrics({
    certificates: () => certs,
    challenges: () => challengeList,
    issuers: () => [],
    clusterIssuers: () => [{ metadata: { name: 'internal-ca' } }, { metadata: { name: 'letsencrypt' } }],
  });
  const exposition = await metrics.registry.metrics();
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    certs = certificates(count);
    challengeList = challenges(count / 100);
    cold.push(await time(() => metrics.registry.metrics()));
    warm.push(await time(() => metrics.registry.metrics()));
  }
  const server = await startMetricsServer({ registry: metrics.registry, address: '127.0.0.1:0' });
  const http: number[] = [];
  let wireBytes = 0;
  try {
    for (let i = 0; i < RUNS; i++) http.push(await time(async () => (wireBytes = await scrapeOverHttp(`${server.url}/metrics`))));
  } finally {
    await server.close();
  }
  return {
    certificates: count,
    series: exposition.split('\n').filter((l) => l && !l.startsWith('#')).length,
    expositionBytes: Buffer.byteLength(exposition),
    gzipBytes: wireBytes,
    coldBuildMs: Math.round(median(cold)),
    warmBuildMs: Math.round(median(warm)),
    httpGzipScrapeMs: Math.round(median(http)),
  };
}

const results = [];
for (const count of SIZES) results.push(await measure(count));
console.table(results);
await writeFile(RESULTS_FILE, `${JSON.stringify({ node: process.version, runs: RUNS, results }, null, 2)}\n`);
