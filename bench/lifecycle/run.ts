/**
 * Certificate lifecycle benchmark (issue 5's bench point; issue 11's P1, P3, P4): the embedded API
 * server and the controller each in their own process, N Certificates from one CA ClusterIssuer
 * created at once, then memory, a controller restart and a steady-state window. `main.ts` is its
 * command line; `npm run bench` calls `runLifecycleBenchmark` directly.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createUntilReady, failOnExit } from '../harness/controller-cluster.js';
import { machineInfo, oneMinuteLoad } from '../harness/machine.js';
import { QUIET_CPU_SHARE, scrapeControllerMetrics, waitForIdle } from './controller-state.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { monotonicMicroseconds, summarizeProfilesIn } from './profiles.js';
import { measureCryptoBaseline } from './crypto-baseline.js';
import { summarizeHeapSnapshot, type HeapSnapshot } from './heap-snapshot.js';
import type { BenchOptions } from './options.js';
import { startApiServerProcess, startControllerProcess, type ApiServerProcess, type ControllerProcess } from './processes.js';
import { readProcessUsage } from './process-usage.js';
import { judge, quantile, type LifecycleResult } from './report.js';
import { BenchCluster, benchCertificate } from './workload.js';

const MiB = 1024 * 1024;
const CPU_PROFILE_INTERVAL_US = 10_000;
const HEAP_PROFILE_INTERVAL_BYTES = 128 * 1024;
/** The profiler's own sampling costs an idle process ~1–2% of a core. */
const PROFILED_QUIET_CPU_SHARE = 0.05;
const STEADY_SLICE_MS = 5000;

const seconds = (ms: number) => Math.round(ms) / 1000;

interface Running {
  dataDir: string;
  apiServer?: ApiServerProcess;
  controller?: ControllerProcess;
  cluster?: BenchCluster;
  proxy?: CountingProxy;
}

async function measure(options: BenchOptions, command: string, running: Running, log: (line: string) => void): Promise<LifecycleResult> {
  const { count, dataDir } = { count: options.count, dataDir: running.dataDir };
  const profileDir = join(dataDir, 'profiles');
  // Sampling every 10 ms rather than V8's 1 ms: at 1 ms the profiler alone keeps an idle
  // controller at ~5% CPU, which would hide the steady state being measured.
  const profiling = (name: string) => [
    ...options.controllerNodeArgs,
    ...(options.cpuProfile ? ['--cpu-prof', '--cpu-prof-interval', String(CPU_PROFILE_INTERVAL_US), '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`] : []),
    ...(options.heapProfile ? ['--heap-prof', '--heap-prof-interval', String(HEAP_PROFILE_INTERVAL_BYTES), '--heap-prof-dir', profileDir, '--heap-prof-name', `${name}.heapprofile`] : []),
  ];
  const snapshotting = options.heapSnapshot ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${profileDir}`] : [];
  const waitUntilQuiet = (controller: ControllerProcess) =>
    waitForIdle(controller.process.pid, controller.metricsUrl, count + 1, performance.now() + options.timeoutSeconds * 1000, options.cpuProfile ? PROFILED_QUIET_CPU_SHARE : QUIET_CPU_SHARE);
  const logPath = (name: string) => join(dataDir, `${name}.log`);

  const loadAtStart = oneMinuteLoad();
  const keyName = `${options.key.algorithm}-${options.key.size}`;
  log(`crypto baseline: ${options.cryptoSamples} ${keyName} certificates in-process`);
  const crypto = await measureCryptoBaseline(options.cryptoSamples, options.key);

  log(`starting the API server and the controller (data: ${dataDir})`);
  const apiServer = (running.apiServer = await startApiServerProcess(dataDir, logPath('apiserver')));
  const cluster = (running.cluster = new BenchCluster(apiServer.kubeconfigPath));
  await cluster.start();
  // Counting P1's requests puts the proxy's TLS work on the same two cores: only when asked.
  const p1Proxy = options.countP1Requests ? (running.proxy = await startCountingProxy(apiServer.url, dataDir)) : undefined;
  const controller = (running.controller = startControllerProcess({
    kubeconfigPath: p1Proxy?.kubeconfigPath ?? apiServer.kubeconfigPath,
    logPath: logPath('controller'),
    nodeArgs: [...profiling('p1-controller'), ...snapshotting],
    runArgs: options.controllerArgs,
  }));
  const metricsUrl = await controller.metricsUrl;
  const controllerGone = failOnExit(controller.process, 'the controller', logPath('controller'));
  const apiServerGone = failOnExit(apiServer.process, 'the API server', logPath('apiserver'));
  await Promise.race([cluster.createCa(options.key), controllerGone, apiServerGone]);

  // P1: N Certificates at once, until every one is Ready.
  log(`P1: creating ${count} ${keyName} Certificates (${options.createConcurrency} in flight) and waiting until all are Ready`);
  const certificates = Array.from({ length: count }, (_, i) => benchCertificate(i, options.key));
  const [controllerBefore, apiServerBefore, metricsBefore] = await Promise.all([
    readProcessUsage(controller.process.pid),
    readProcessUsage(apiServer.process.pid),
    scrapeControllerMetrics(metricsUrl),
  ]);
  const benchBefore = process.cpuUsage();
  const p1Start = await createUntilReady(cluster, certificates, {
    label: 'P1',
    concurrency: options.createConcurrency,
    timeoutSeconds: options.timeoutSeconds,
    failed: Promise.race([controllerGone, apiServerGone]),
    controllerPid: controller.process.pid,
    controllerCpuBefore: controllerBefore.cpuSeconds,
  });
  const p1WallMs = performance.now() - p1Start;
  const readyTimes = [...cluster.readyAt.values()].map((t) => t - p1Start).sort((a, b) => a - b);
  // The controller's cost per Certificate includes what it still does once all are Ready (old
  // CertificateRequests, events): measure until it is quiet.
  await Promise.race([waitUntilQuiet(controller), controllerGone]);
  const [controllerAfter, apiServerAfter, metrics] = await Promise.all([
    readProcessUsage(controller.process.pid),
    readProcessUsage(apiServer.process.pid),
    scrapeControllerMetrics(metricsUrl),
  ]);
  const benchCpu = process.cpuUsage(benchBefore);
  const controllerCpuSeconds = controllerAfter.cpuSeconds - controllerBefore.cpuSeconds;
  const controllerCpuMsPerCertificate = (controllerCpuSeconds * 1000) / count;
  log(`P1: ${count} Ready in ${seconds(p1WallMs)} s; controller RSS ${(controllerAfter.rssBytes / MiB).toFixed(1)} MiB`);

  const idle = options.idleSeconds > 0 ? await sampleIdle(controller, metricsUrl, options.idleSeconds, controllerGone) : undefined;
  if (idle) log(`P3: after ${options.idleSeconds} s idle, controller RSS ${(idle.rssBytes / MiB).toFixed(1)} MiB`);
  const p1Requests = p1Proxy?.counts();
  const heapSnapshot = options.heapSnapshot ? summarizeHeapSnapshot(await takeHeapSnapshot(controller.process.pid, metricsUrl, profileDir)) : undefined;
  const p4 = options.skipRestart ? undefined : await measureRestart();
  // Profiles are written when a process exits.
  await controller.process.stop();

  // P4: restart through the counting proxy, wait for timers and quiet, then a steady-state window.
  async function measureRestart() {
    const revisionsBefore = cluster.revisions();
    const proxy = (running.proxy = p1Proxy ?? (await startCountingProxy(apiServer.url, dataDir)));
    proxy.resetCounts();
    log('P4: restarting the controller (through the counting proxy)');
    await controller.process.stop();
    const restartStartUs = monotonicMicroseconds();
    const restarted = (running.controller = startControllerProcess({
      kubeconfigPath: proxy.kubeconfigPath,
      logPath: logPath('controller-restarted'),
      nodeArgs: profiling('restart-controller'),
      runArgs: options.controllerArgs,
    }));
    const restartedGone = failOnExit(restarted.process, 'the restarted controller', logPath('controller-restarted'));
    const idleAt = await Promise.race([waitUntilQuiet(restarted), restartedGone, apiServerGone]);
    const idleUs = monotonicMicroseconds();
    const timersArmedMs = await restarted.timersArmedMs;
    const timersArmed = await restarted.timersArmed;
    const restartRequests = proxy.counts();
    log(`P4: ${timersArmed} timers armed ${seconds(timersArmedMs)} s after spawn, idle after ${seconds(idleAt - restarted.process.spawnedAt)} s`);
    const steady = options.skipSteady ? undefined : await measureSteady(restarted, proxy, Promise.race([restartedGone, apiServerGone]));
    const revisionsAfter = cluster.revisions();
    const reissues = [...revisionsBefore].filter(([key, revision]) => revisionsAfter.get(key) !== revision).length;
    await restarted.process.stop();
    return {
      countedBy:
        'a counting HTTPS proxy between the restarted controller and the API server (every request, successful or not, by verb and resource); the benchmark\'s own watches bypass it',
      restart: {
        timersArmedSeconds: seconds(timersArmedMs),
        timersArmed,
        // The workload's Certificates and the CA's.
        certificates: count + 1,
        idleSeconds: seconds(idleAt - restarted.process.spawnedAt),
        reissues,
        notReady: count - cluster.readyCount(),
        requests: restartRequests,
      },
      ...(steady ? { steady: steady.result } : {}),
      profileWindows: { restart: { fromUs: restartStartUs, toUs: idleUs }, ...(steady ? { steady: steady.window } : {}) },
    };
  }

  async function measureSteady(restarted: ControllerProcess, proxy: CountingProxy, gone: Promise<never>) {
    log(`P4: steady state for ${options.steadySeconds} s`);
    proxy.resetCounts();
    const steadyBefore = await readProcessUsage(restarted.process.pid);
    const steadyStart = performance.now();
    const steadyStartUs = monotonicMicroseconds();
    // CPU per 5 s slice too, so a tail of the restart (a late GC) is told apart from a steady cost.
    const steadySlices: number[] = [];
    let sliceStart = steadyBefore;
    for (let left = options.steadySeconds * 1000; left > 0; left -= STEADY_SLICE_MS) {
      const sliceMs = Math.min(STEADY_SLICE_MS, left);
      await Promise.race([sleep(sliceMs), gone]);
      const sliceEnd = await readProcessUsage(restarted.process.pid);
      steadySlices.push(Math.round(((sliceEnd.cpuSeconds - sliceStart.cpuSeconds) / (sliceMs / 1000)) * 10000) / 100);
      sliceStart = sliceEnd;
    }
    const steadyMs = performance.now() - steadyStart;
    return {
      window: { fromUs: steadyStartUs, toUs: monotonicMicroseconds() },
      result: {
        seconds: seconds(steadyMs),
        requests: proxy.counts(),
        controllerCpuPercent: Math.round(((sliceStart.cpuSeconds - steadyBefore.cpuSeconds) / (steadyMs / 1000)) * 10000) / 100,
        controllerCpuPercentPer5s: steadySlices,
        controllerRssBytes: sliceStart.rssBytes,
      },
    };
  }

  const measured = {
    benchmark: 'lifecycle' as const,
    generatedAt: new Date().toISOString(),
    command,
    machine: machineInfo(loadAtStart),
    crypto,
    p1: {
      certificates: count,
      wallSeconds: seconds(p1WallMs),
      certificatesPerSecond: Math.round((count / (p1WallMs / 1000)) * 10) / 10,
      readySeconds: {
        first: seconds(readyTimes[0] ?? NaN),
        p50: seconds(quantile(readyTimes, 0.5)),
        p99: seconds(quantile(readyTimes, 0.99)),
        last: seconds(readyTimes.at(-1) ?? NaN),
      },
      controllerCpuSeconds: Math.round(controllerCpuSeconds * 100) / 100,
      controllerCpuMsPerCertificate: Math.round(controllerCpuMsPerCertificate * 1000) / 1000,
      overheadRatio: Math.round((controllerCpuMsPerCertificate / crypto.cpuMsPerCertificate) * 100) / 100,
      apiServerCpuSeconds: Math.round((apiServerAfter.cpuSeconds - apiServerBefore.cpuSeconds) * 100) / 100,
      benchCpuSeconds: Math.round((benchCpu.user + benchCpu.system) / 1e4) / 100,
      controllerWarnings: controller.warnings(),
      ...(p1Requests ? { requests: p1Requests } : {}),
    },
    p3: {
      baselineRssBytes: controllerBefore.rssBytes,
      baselineHeapUsedBytes: metricsBefore.heapUsedBytes,
      controllerRssBytes: controllerAfter.rssBytes,
      controllerPeakRssBytes: controllerAfter.peakRssBytes,
      heapUsedBytes: metrics.heapUsedBytes,
      heapTotalBytes: metrics.heapTotalBytes,
      apiServerRssBytes: apiServerAfter.rssBytes,
      ...(idle ? { idle } : {}),
    },
    ...(heapSnapshot ? { heapSnapshot } : {}),
    ...(p4 ? { p4: { countedBy: p4.countedBy, restart: p4.restart, ...(p4.steady ? { steady: p4.steady } : {}) } } : {}),
    ...(options.cpuProfile || options.heapProfile
      ? {
          profiles: await summarizeProfilesIn(profileDir, p4 ? { 'restart-controller.cpuprofile': p4.profileWindows } : {}),
        }
      : {}),
  };
  return { ...measured, goals: judge(measured) };
}

/**
 * Memory of a controller left alone after a burst: RSS every second from /proc (a /metrics scrape
 * would be work that delays V8's idle-time collection), the heap from /metrics once at the end.
 */
async function sampleIdle(controller: ControllerProcess, metricsUrl: string, idleSeconds: number, gone: Promise<never>) {
  const rssBytesPerSecond: number[] = [];
  for (let second = 0; second < idleSeconds; second++) {
    await Promise.race([sleep(1000), gone]);
    rssBytesPerSecond.push((await readProcessUsage(controller.process.pid)).rssBytes);
  }
  const metrics = await scrapeControllerMetrics(metricsUrl);
  return { seconds: idleSeconds, rssBytes: rssBytesPerSecond.at(-1)!, rssBytesPerSecond, heapUsedBytes: metrics.heapUsedBytes, heapTotalBytes: metrics.heapTotalBytes };
}

/** Signals the controller (started with --heapsnapshot-signal) and reads the snapshot once written. */
async function takeHeapSnapshot(pid: number, metricsUrl: string, dir: string): Promise<HeapSnapshot> {
  await mkdir(dir, { recursive: true });
  process.kill(pid, 'SIGUSR2');
  let file: string | undefined;
  while (!(file = (await readdir(dir)).find((f) => f.endsWith('.heapsnapshot')))) await sleep(100);
  // V8 writes the snapshot on the main thread: once /metrics answers, the file is complete.
  await scrapeControllerMetrics(metricsUrl);
  return JSON.parse(await readFile(join(dir, file), 'utf8')) as HeapSnapshot;
}

async function shutdown(running: Running): Promise<void> {
  await running.controller?.process.stop();
  await running.proxy?.close();
  await running.cluster?.close();
  await running.apiServer?.process.stop();
}

/**
 * Runs the benchmark in a fresh data directory and returns its result (the caller writes and prints
 * it). Processes are stopped whatever happens; on failure the data directory is kept and named in
 * the error.
 */
export async function runLifecycleBenchmark(options: BenchOptions, command: string, log: (line: string) => void): Promise<LifecycleResult> {
  const running: Running = { dataDir: await mkdtemp(join(tmpdir(), 'certwright-bench-')) };
  let result: LifecycleResult;
  try {
    result = await measure(options, command, running, log);
  } catch (err) {
    await shutdown(running);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n(data directory kept: ${running.dataDir})`, { cause: err });
  }
  await shutdown(running);
  if (options.keepData) log(`data directory kept: ${running.dataDir}`);
  else await rm(running.dataDir, { recursive: true, force: true });
  return result;
}
