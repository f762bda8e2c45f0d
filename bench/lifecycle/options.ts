/** Command-line flags of `npm run bench:lifecycle` / `bench:smoke`. */
import { parseFlags, positiveNumber, UsageError } from '../harness/cli.js';

/** The key every benchmark Certificate, the CA and the crypto baseline use. */
export interface BenchKey {
  algorithm: 'ECDSA' | 'RSA';
  size: number;
}

const DEFAULT_KEY_SIZE: Record<BenchKey['algorithm'], number> = { ECDSA: 256, RSA: 2048 };
const KEY_SIZES: Record<BenchKey['algorithm'], readonly number[]> = { ECDSA: [256, 384, 521], RSA: [2048, 3072, 4096] };

export interface BenchOptions {
  /** Certificates created at once in P1. */
  count: number;
  /** Key algorithm and size of the Certificates, the CA and the crypto baseline. */
  key: BenchKey;
  /** Length of the P4 steady-state window. */
  steadySeconds: number;
  /** Skip P4's steady-state window (the restart is still measured). */
  skipSteady: boolean;
  /** Skip P4 altogether (restart and steady state): P1 and P3 only. */
  skipRestart: boolean;
  /** Leave the P1 controller idle this long after P1 and sample its memory (what V8 and malloc give back). */
  idleSeconds: number;
  /** Certificates the crypto baseline makes in-process. */
  cryptoSamples: number;
  /** Creates in flight at once (the client opens one connection per request in flight). */
  createConcurrency: number;
  /** Give up when P1 has not finished after this long. */
  timeoutSeconds: number;
  /** Run the controller under `node --cpu-prof` and summarise where its time went. */
  cpuProfile: boolean;
  /** Run the controller under `node --heap-prof` and summarise what its live memory was allocated by. */
  heapProfile: boolean;
  /** Write a V8 heap snapshot of the controller at the end of P1 and summarise what it holds. */
  heapSnapshot: boolean;
  /** Run P1's controller through the counting proxy too, to count its API requests per Certificate. */
  countP1Requests: boolean;
  /** Keep the data directory (store, logs, profiles) instead of deleting it. */
  keepData: boolean;
  /** Extra `certwright run` flags, e.g. `--kube-api-qps=5000`. */
  controllerArgs: string[];
  /** Extra node flags for the controller processes, e.g. `--max-semi-space-size=2`. */
  controllerNodeArgs: string[];
  /** Where the JSON result goes. */
  output: string;
  smoke: boolean;
}

export const benchUsage = `Usage: node dist/bench/lifecycle/main.js [flags]
       npm run bench:lifecycle -- --count 10000

  --count N                 Certificates applied at once (default 1000; the goal is stated at 10000)
  --key-algorithm A         ECDSA (default) or RSA: the Certificates', the CA's and the crypto baseline's key
  --key-size N              key size (default 256 for ECDSA, 2048 for RSA)
  --steady-seconds S        P4 steady-state window (default 60)
  --skip-steady             measure the restart but not the steady-state window
  --skip-restart            stop after P1 and P3 (no restart, no steady-state window)
  --idle-seconds S          after P1, leave the controller idle S seconds and sample its RSS every
                            second (default 0: P3 is measured once, when it goes quiet)
  --crypto-samples N        certificates in the in-process crypto baseline (default 200)
  --create-concurrency N    creates in flight (default 64)
  --timeout-seconds S       give up on P1 after S (default 600)
  --cpu-prof                profile the controller processes' CPU and print their top costs
  --heap-prof               profile what the controllers' live memory was allocated by (at their exit)
  --heap-snapshot           write a V8 heap snapshot of the controller at the end of P1 (kept in the
                            data directory) and print its self size by constructor and holding property
  --count-p1-requests       put the counting proxy in front of P1's controller too (its TLS work
                            then shares the two cores, so P1's times are not comparable)
  --keep-data               keep the data directory (store, process logs, profiles)
  --controller-arg FLAG     pass FLAG to \`certwright run\` (repeatable), e.g. --controller-arg=--workers=10
  --controller-node-arg F   pass node/V8 flag F to the controller processes (repeatable), e.g.
                            --controller-node-arg=--max-semi-space-size=2
  --output FILE             JSON result (default bench/results/lifecycle.json, smoke: lifecycle-smoke.json)
  --smoke                   tiny counts (20 Certificates, 3 s steady state) so it finishes in seconds
`;

/** The harness's UsageError, under the name this module's callers and tests know it by. */
export { UsageError as BenchUsageError };

function benchKey(algorithmText: string | undefined, sizeText: string | undefined): BenchKey {
  const algorithm = algorithmText ?? 'ECDSA';
  if (algorithm !== 'ECDSA' && algorithm !== 'RSA') throw new UsageError(`--key-algorithm must be ECDSA or RSA, got ${JSON.stringify(algorithm)}`);
  const size = positiveNumber('key-size', sizeText, DEFAULT_KEY_SIZE[algorithm]);
  if (!KEY_SIZES[algorithm].includes(size)) throw new UsageError(`--key-size for ${algorithm} must be one of ${KEY_SIZES[algorithm].join(', ')}, got ${size}`);
  return { algorithm, size };
}

export function parseBenchOptions(args: readonly string[], defaultOutputDir: string): BenchOptions & { help: boolean } {
  const values = parseFlags(args, {
    count: { type: 'string' },
    'key-algorithm': { type: 'string' },
    'key-size': { type: 'string' },
    'steady-seconds': { type: 'string' },
    'skip-steady': { type: 'boolean' },
    'skip-restart': { type: 'boolean' },
    'idle-seconds': { type: 'string' },
    'crypto-samples': { type: 'string' },
    'create-concurrency': { type: 'string' },
    'timeout-seconds': { type: 'string' },
    'cpu-prof': { type: 'boolean' },
    'heap-prof': { type: 'boolean' },
    'heap-snapshot': { type: 'boolean' },
    'keep-data': { type: 'boolean' },
    'count-p1-requests': { type: 'boolean' },
    'controller-arg': { type: 'string', multiple: true },
    'controller-node-arg': { type: 'string', multiple: true },
    output: { type: 'string' },
    smoke: { type: 'boolean' },
  });
  const smoke = values.smoke ?? false;
  return {
    help: values.help ?? false,
    smoke,
    count: positiveNumber('count', values.count, smoke ? 20 : 1000),
    key: benchKey(values['key-algorithm'], values['key-size']),
    steadySeconds: positiveNumber('steady-seconds', values['steady-seconds'], smoke ? 3 : 60),
    skipSteady: values['skip-steady'] ?? false,
    skipRestart: values['skip-restart'] ?? false,
    idleSeconds: positiveNumber('idle-seconds', values['idle-seconds'], 0),
    cryptoSamples: positiveNumber('crypto-samples', values['crypto-samples'], smoke ? 20 : 200),
    createConcurrency: positiveNumber('create-concurrency', values['create-concurrency'], 64),
    timeoutSeconds: positiveNumber('timeout-seconds', values['timeout-seconds'], smoke ? 120 : 600),
    cpuProfile: values['cpu-prof'] ?? false,
    heapProfile: values['heap-prof'] ?? false,
    heapSnapshot: values['heap-snapshot'] ?? false,
    keepData: values['keep-data'] ?? false,
    countP1Requests: values['count-p1-requests'] ?? false,
    controllerArgs: values['controller-arg'] ?? [],
    controllerNodeArgs: values['controller-node-arg'] ?? [],
    output: values.output ?? `${defaultOutputDir}/${smoke ? 'lifecycle-smoke.json' : 'lifecycle.json'}`,
  };
}
