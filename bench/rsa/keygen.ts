/**
 * Raw asynchronous RSA-2048 key generation throughput in this process: `crypto.generateKeyPair`
 * with a fixed number in flight (libuv's pool runs them on other threads), as many as finish in a
 * time budget. The ceiling an RSA issuance pipeline can approach on this machine at this moment.
 */
import { generateKeyPair } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface KeygenThroughput {
  keys: number;
  concurrency: number;
  seconds: number;
  keysPerSecond: number;
  /** CPU of this process (every thread) per key. */
  cpuMsPerKey: number;
}

/**
 * Keeps `concurrency` RSA-2048 generations in flight until `seconds` have passed and at least
 * `minimumKeys` finished (prime search makes one key's time vary several-fold, so a short budget
 * needs a floor on the sample).
 */
export async function measureRsaKeygen(seconds: number, concurrency = 2, minimumKeys = 2 * concurrency): Promise<KeygenThroughput> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let keys = 0;
  let started = 0;
  const worker = async () => {
    while (performance.now() < deadline || started < minimumKeys) {
      started++;
      await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
      keys++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    keys,
    concurrency,
    seconds: Math.round(elapsedMs) / 1000,
    keysPerSecond: Math.round((keys / (elapsedMs / 1000)) * 100) / 100,
    cpuMsPerKey: Math.round(((cpu.user + cpu.system) / 1000 / keys) * 100) / 100,
  };
}

/** Two measurements (before and after the measured phase) as one: all keys over all time. */
export function pooledKeygen(runs: readonly KeygenThroughput[]): KeygenThroughput {
  const keys = runs.reduce((n, r) => n + r.keys, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const cpuMs = runs.reduce((n, r) => n + r.cpuMsPerKey * r.keys, 0);
  return {
    keys,
    concurrency: runs[0]?.concurrency ?? 0,
    seconds: Math.round(seconds * 1000) / 1000,
    keysPerSecond: Math.round((keys / seconds) * 100) / 100,
    cpuMsPerKey: Math.round((cpuMs / keys) * 100) / 100,
  };
}
