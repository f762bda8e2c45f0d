/**
 * certwright's side of P5: `certwright run --local` (embedded API server and controller in one
 * process, as a user runs it on one machine) with its HTTP-01 responder on the port Pebble
 * validates against and its DNS-01 self-check asking bind9; then one ACME ClusterIssuer and N
 * Certificates applied at once, until every one is Ready.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../../apiserver/admission.js';
import type { ACMEChallengeSolver, Certificate } from '../../api/types.js';
import { applyManifests } from '../../cli/manifests.js';
import { DEFAULT_CLUSTER_RESOURCE_NAMESPACE } from '../../issuers/context.js';
import { rfc2136SolverFor } from '../../e2e/dns/bind9.js';
import { createUntilReady, failOnExit } from '../harness/controller-cluster.js';
import type { RequestCounts } from '../lifecycle/counting-proxy.js';
import { CliProcess } from '../lifecycle/processes.js';
import { readProcessUsage } from '../lifecycle/process-usage.js';
import { BENCH_NAMESPACE, BenchCluster } from '../lifecycle/workload.js';
import { toolRun, type AcmeTarget, type Solver, type ToolRun } from './peers.js';

const ISSUER_NAME = 'bench-acme';
const TSIG_SECRET_NAME = 'bench-tsig';

function runFlags(target: AcmeTarget, dataDir: string): string[] {
  return [
    'run', '--local', '--data-dir', dataDir, '--metrics-address', '127.0.0.1:0', '--health-address', '',
    '--acme-http01-solver-address', `127.0.0.1:${target.httpPort}`, '--acme-http01-solver-nameservers', target.dns.nameserver,
    '--dns01-recursive-nameservers', target.dns.nameserver, '--dns01-recursive-nameservers-only',
  ];
}

function issuerManifests(solver: Solver, target: AcmeTarget, caPem: string): KubeObject[] {
  const rfc2136 = rfc2136SolverFor({ ...target.dns, keys: [target.dns.key], stop: async () => {} }, target.dns.key, TSIG_SECRET_NAME);
  const solvers: ACMEChallengeSolver[] = solver === 'http01' ? [{ http01: { ingress: {} } }] : [{ dns01: rfc2136.solver }];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEFAULT_CLUSTER_RESOURCE_NAMESPACE } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: TSIG_SECRET_NAME, namespace: DEFAULT_CLUSTER_RESOURCE_NAMESPACE }, data: rfc2136.secretData },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'ClusterIssuer',
      metadata: { name: ISSUER_NAME },
      spec: {
        acme: {
          server: target.directoryUrl,
          email: 'bench@example.test',
          privateKeySecretRef: { name: 'bench-acme-account' },
          caBundle: Buffer.from(caPem).toString('base64'),
          solvers,
        },
      },
    },
  ];
}

function acmeCertificate(name: string, index: number): Certificate {
  const objectName = `acme-${String(index).padStart(4, '0')}`;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: objectName, namespace: BENCH_NAMESPACE },
    spec: { secretName: `${objectName}-tls`, dnsNames: [name], privateKey: { algorithm: 'ECDSA', size: 256 }, issuerRef: { name: ISSUER_NAME, kind: 'ClusterIssuer', group: 'cert-manager.io' } },
  } as Certificate;
}

export type CertwrightRun = ToolRun & { cpuSeconds: number };

/**
 * Issues one certificate per name with certwright; wall time and requests count from the
 * ClusterIssuer's apply (account registration included, as in a peer's first run).
 */
export async function runCertwright(
  names: readonly string[],
  solver: Solver,
  target: AcmeTarget,
  caPem: string,
  counter: { resetCounts(): void; counts(): RequestCounts },
  options: { timeoutSeconds: number; log: (line: string) => void },
): Promise<CertwrightRun> {
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-bench-acme-'));
  const flags = runFlags(target, dataDir);
  const child = new CliProcess([], flags, join(dataDir, 'certwright.log'));
  let cluster: BenchCluster | undefined;
  try {
    const kubeconfig = await child.waitForLine('certwright run --local', (line) => (line.includes('"certwright is running"') ? (JSON.parse(line) as { kubeconfig?: string }).kubeconfig : undefined), 60_000);
    cluster = new BenchCluster(kubeconfig);
    await cluster.start();
    const cpuBefore = await readProcessUsage(child.pid);
    counter.resetCounts();
    const start = performance.now();
    await applyManifests(cluster.client, issuerManifests(solver, target, caPem), 'certwright-bench');
    await createUntilReady(cluster, names.map((name, i) => acmeCertificate(name, i)), {
      label: `P5 certwright ${solver}`,
      concurrency: 16,
      timeoutSeconds: options.timeoutSeconds,
      failed: failOnExit(child, 'certwright', join(dataDir, 'certwright.log')),
      controllerPid: child.pid,
      controllerCpuBefore: cpuBefore.cpuSeconds,
    });
    const wallMs = performance.now() - start;
    const cpuAfter = await readProcessUsage(child.pid);
    const run = toolRun({ tool: 'certwright', solver, status: 'ok', certificates: names.length, issued: names.length, command: `certwright ${flags.join(' ')}`, wallMs, requests: counter.counts() });
    await cluster.close();
    await child.stop();
    await rm(dataDir, { recursive: true, force: true });
    return { ...run, cpuSeconds: Math.round((cpuAfter.cpuSeconds - cpuBefore.cpuSeconds) * 100) / 100 };
  } catch (err) {
    await cluster?.close();
    await child.stop();
    options.log(`certwright ${solver} failed; its data directory is kept: ${dataDir}`);
    throw err;
  }
}
