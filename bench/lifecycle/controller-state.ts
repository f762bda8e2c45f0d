/**
 * What the benchmark reads from the running controller: its /metrics (V8 heap, reconciles done)
 * and, from /proc, when it has gone quiet after a restart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { parseExposition } from '../../controller/observability/exposition.js';
import { readProcessUsage } from './process-usage.js';

export interface ControllerMetricsSample {
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** certmanager_controller_sync_call_count{controller="certificates"}: Certificate reconciles so far. */
  certificateSyncs: number;
}

/** fetch reuses kept-alive sockets, which the server may close at that moment: one retry covers that race. */
async function fetchMetrics(metricsUrl: string): Promise<Response> {
  try {
    return await fetch(`${metricsUrl}/metrics`);
  } catch {
    return fetch(`${metricsUrl}/metrics`);
  }
}

export async function scrapeControllerMetrics(metricsUrl: string): Promise<ControllerMetricsSample> {
  const response = await fetchMetrics(metricsUrl);
  if (!response.ok) throw new Error(`GET ${metricsUrl}/metrics: HTTP ${response.status}`);
  const samples = parseExposition(await response.text());
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
  return {
    heapUsedBytes: value('nodejs_heap_size_used_bytes'),
    heapTotalBytes: value('nodejs_heap_size_total_bytes'),
    certificateSyncs: value('certmanager_controller_sync_call_count', { controller: 'certificates' }),
  };
}

/** CPU sampling for the quiet check: fine enough to time a restart, cheap (two /proc reads). */
const SAMPLE_MS = 100;
/** "Quiet": under 2% of one core over the last second. */
const QUIET_WINDOW_MS = 1000;
export const QUIET_CPU_SHARE = 0.02;

/**
 * Resolves with performance.now() at which the controller went quiet: the start of the first
 * one-second window in which it used under `quietCpuShare` of a core (default 2%), after it had reconciled at least
 * `expectedCertificateSyncs` Certificates (checked on /metrics only once it is quiet, since a
 * scrape at 10k Certificates is itself work). Sampling starts at once, so the metrics address may
 * still be on its way.
 */
export async function waitForIdle(
  pid: number,
  metricsUrl: Promise<string> | string,
  expectedCertificateSyncs: number,
  deadlineMs: number,
  quietCpuShare = QUIET_CPU_SHARE,
): Promise<number> {
  const samples: Array<{ at: number; cpuSeconds: number }> = [];
  for (;;) {
    const at = performance.now();
    if (at > deadlineMs) throw new Error('the restarted controller did not go idle in time');
    samples.push({ at, cpuSeconds: (await readProcessUsage(pid)).cpuSeconds });
    // Keep the last sample at or before the window's start, and everything after it.
    while (samples.length > 1 && samples[1]!.at <= at - QUIET_WINDOW_MS) samples.shift();
    const first = samples[0]!;
    if (at - first.at >= QUIET_WINDOW_MS && samples.at(-1)!.cpuSeconds - first.cpuSeconds < (quietCpuShare * (at - first.at)) / 1000) {
      if ((await scrapeControllerMetrics(await metricsUrl)).certificateSyncs >= expectedCertificateSyncs) return first.at;
      samples.length = 0;
    }
    await sleep(SAMPLE_MS);
  }
}
