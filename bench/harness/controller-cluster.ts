/**
 * The process model of bench/lifecycle for benchmarks that need only part of it (P6): the
 * embedded API server and `certwright run` in their own processes, the benchmark's own client and
 * Certificate informer straight to the API server, and the CA ClusterIssuer every benchmark
 * Certificate is signed by. Plus "create these Certificates and wait until all are Ready" with a
 * progress line and each process's CPU from /proc.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Certificate } from '../../api/types.js';
import { CERTIFICATES } from '../../controller/runtime/resources.js';
import { startApiServerProcess, startControllerProcess, type ApiServerProcess, type CliProcess, type ControllerProcess } from '../lifecycle/processes.js';
import { readProcessUsage } from '../lifecycle/process-usage.js';
import { startProgress } from '../lifecycle/progress.js';
import type { BenchKey } from '../lifecycle/options.js';
import { BenchCluster, forEachConcurrently } from '../lifecycle/workload.js';

const MiB = 1024 * 1024;

export interface ControllerCluster {
  dataDir: string;
  apiServer: ApiServerProcess;
  controller: ControllerProcess;
  cluster: BenchCluster;
  /** Rejects as soon as the API server or the controller exits; race every wait against it. */
  failed: Promise<never>;
  close(): Promise<void>;
}

/** Rejects when `child` exits; only ever raced against a phase it must outlive. */
export function failOnExit(child: CliProcess, what: string, logPath: string): Promise<never> {
  const failed = child.exited.then((code): never => {
    throw new Error(`${what} exited with code ${code} during the benchmark; its log: ${logPath}`);
  });
  failed.catch(() => {});
  return failed;
}

/** Starts both processes and the CA; the data directory (store and logs) is removed on close unless `keepData`. */
export async function startControllerCluster(options: { key: BenchKey; controllerArgs?: readonly string[]; keepData?: boolean; log: (line: string) => void }): Promise<ControllerCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-bench-'));
  const logPath = (name: string) => join(dataDir, `${name}.log`);
  let apiServer: ApiServerProcess | undefined;
  let controller: ControllerProcess | undefined;
  let cluster: BenchCluster | undefined;
  const close = async () => {
    await controller?.process.stop();
    await cluster?.close();
    await apiServer?.process.stop();
    if (options.keepData) options.log(`data directory kept: ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  };
  try {
    options.log(`starting the API server and the controller (data: ${dataDir})`);
    apiServer = await startApiServerProcess(dataDir, logPath('apiserver'));
    cluster = new BenchCluster(apiServer.kubeconfigPath);
    await cluster.start();
    controller = startControllerProcess({ kubeconfigPath: apiServer.kubeconfigPath, logPath: logPath('controller'), runArgs: options.controllerArgs ?? [] });
    const failed = Promise.race([failOnExit(controller.process, 'the controller', logPath('controller')), failOnExit(apiServer.process, 'the API server', logPath('apiserver'))]);
    failed.catch(() => {});
    await Promise.race([Promise.all([controller.metricsUrl, cluster.createCa(options.key)]), failed]);
    return { dataDir, apiServer, controller, cluster, failed, close };
  } catch (err) {
    options.log(`(logs in ${dataDir})`);
    await close();
    throw err;
  }
}

export interface Issuance {
  certificates: number;
  wallSeconds: number;
  certificatesPerSecond: number;
  controllerCpuSeconds: number;
  apiServerCpuSeconds: number;
  controllerRssBytes: number;
}

/**
 * Creates `certificates` (`concurrency` creates in flight) and waits until every one is Ready, with
 * a progress line of the controller's RSS and CPU since `controllerCpuBefore`; fails when `failed`
 * does or after `timeoutSeconds`. Returns performance.now() at the first create.
 */
export async function createUntilReady(
  cluster: BenchCluster,
  certificates: readonly Certificate[],
  options: { label: string; concurrency: number; timeoutSeconds: number; failed: Promise<never>; controllerPid: number; controllerCpuBefore: number },
): Promise<number> {
  const readyBefore = cluster.readyAt.size;
  let created = 0;
  const start = performance.now();
  const ready = () => cluster.readyAt.size - readyBefore;
  const progress = startProgress(async () => {
    const usage = await readProcessUsage(options.controllerPid);
    return `${options.label} ${((performance.now() - start) / 1000).toFixed(1)} s: created ${created}/${certificates.length}, Ready ${ready()}/${certificates.length}, controller RSS ${(usage.rssBytes / MiB).toFixed(0)} MiB, CPU ${(usage.cpuSeconds - options.controllerCpuBefore).toFixed(1)} s`;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${options.label}: ${certificates.length} Certificates not Ready within ${options.timeoutSeconds} s (${ready()} were)`)), options.timeoutSeconds * 1000);
  });
  try {
    await Promise.race([
      Promise.all([
        forEachConcurrently(certificates, options.concurrency, async (certificate) => {
          await cluster.client.create(CERTIFICATES, certificate);
          created++;
        }),
        cluster.until(() => ready() >= certificates.length),
      ]),
      options.failed,
      deadline,
    ]);
  } finally {
    progress.stop();
    clearTimeout(timer);
  }
  return start;
}

/** Creates `certificates` (`concurrency` creates in flight) and waits until every one is Ready. */
export async function issueAll(env: ControllerCluster, certificates: readonly Certificate[], options: { label: string; concurrency: number; timeoutSeconds: number }): Promise<Issuance> {
  const { cluster, controller, apiServer } = env;
  const [controllerBefore, apiServerBefore] = await Promise.all([readProcessUsage(controller.process.pid), readProcessUsage(apiServer.process.pid)]);
  const start = await createUntilReady(cluster, certificates, { ...options, failed: env.failed, controllerPid: controller.process.pid, controllerCpuBefore: controllerBefore.cpuSeconds });
  const wallMs = performance.now() - start;
  const [controllerAfter, apiServerAfter] = await Promise.all([readProcessUsage(controller.process.pid), readProcessUsage(apiServer.process.pid)]);
  return {
    certificates: certificates.length,
    wallSeconds: Math.round(wallMs) / 1000,
    certificatesPerSecond: Math.round((certificates.length / (wallMs / 1000)) * 100) / 100,
    controllerCpuSeconds: Math.round((controllerAfter.cpuSeconds - controllerBefore.cpuSeconds) * 100) / 100,
    apiServerCpuSeconds: Math.round((apiServerAfter.cpuSeconds - apiServerBefore.cpuSeconds) * 100) / 100,
    controllerRssBytes: controllerAfter.rssBytes,
  };
}
