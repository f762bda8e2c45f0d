/**
 * `certwright check api`: whether the cert-manager.io API is usable, as cmctl checks it — the
 * API server answers, serves Certificates, and admits one (a dry-run create, so admission and any
 * webhook run but nothing is stored). With `--wait` it retries until ready or the time is up.
 */
import type { Certificate } from '../api/types.js';
import { CERTIFICATE_API_VERSION } from '../api/well-known.js';
import { isNotFound } from '../controller/runtime/api-error.js';
import type { KubeClient } from '../controller/runtime/client.js';
import { CERTIFICATES } from '../controller/runtime/resources.js';
import { programName, registerCommand, type Io } from './commands.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from './kube.js';
import { progressLine } from './output.js';
import { durationFlag, EXIT_ERROR, EXIT_OK, expectPositionals, parseCommandArgs, runCommand, UsageError } from './usage.js';

const DEFAULT_INTERVAL_MS = 5000;

/** A Certificate that passes validation; only ever sent as a dry run. */
function probeCertificate(namespace: string): Certificate {
  return {
    apiVersion: CERTIFICATE_API_VERSION,
    kind: 'Certificate',
    metadata: { namespace, name: 'certwright-api-check' },
    spec: { dnsNames: ['api-check.example.com'], secretName: 'certwright-api-check', issuerRef: { name: 'certwright-api-check' } },
  };
}

/** Undefined when the API is ready; otherwise why not, in one line. */
export async function apiProblem(client: KubeClient, namespace: string): Promise<string | undefined> {
  try {
    await client.list(CERTIFICATES, { namespace, limit: 1 });
  } catch (err) {
    if (isNotFound(err)) return 'the cert-manager.io/v1 API is not served (are the CRDs installed?)';
    return `the API server cannot be reached or refused the request: ${(err as Error).message}`;
  }
  try {
    await client.create(CERTIFICATES, probeCertificate(namespace), { dryRun: true });
  } catch (err) {
    return `a dry-run create of a Certificate failed (admission or webhook not ready?): ${(err as Error).message}`;
  }
  return undefined;
}

const usageOf = (program: string) => `Usage: ${program} check api [--wait D] [--interval D] [flags]

Checks that the cert-manager.io API is ready: the API server answers, serves Certificates, and
admits a dry-run Certificate. With --wait, retries until it is ready or D has passed.

Exit status: 0 ready, 1 not ready, 2 usage error.

Flags:
  --wait D       keep trying for this long, e.g. 2m (default: try once)
  --interval D   time between tries while waiting (default 5s)
  -v, --verbose  print every failed try
${CONNECTION_HELP}`;

const options = { ...CONNECTION_OPTIONS, wait: { type: 'string' }, interval: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } } as const;

async function runCheck(args: string[], io: Io): Promise<number> {
  return runCommand(args, io, usageOf(programName(io.argv0)), async () => {
    const { values, positionals } = parseCommandArgs(args, options);
    const [what] = expectPositionals(positionals, ['what to check (api)']);
    if (what !== 'api') throw new UsageError(`check supports "api", got ${JSON.stringify(what)}`);
    const waitMs = durationFlag('wait', values.wait, 0);
    const intervalMs = durationFlag('interval', values.interval, DEFAULT_INTERVAL_MS);
    const deadline = Date.now() + waitMs;
    const progress = progressLine(io.stderr);
    return withConnection(values, async ({ client, namespace }) => {
      for (let attempt = 1; ; attempt++) {
        const problem = await apiProblem(client, namespace);
        if (!problem) {
          progress.done();
          io.stdout.write('The cert-manager API is ready\n');
          return EXIT_OK;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          progress.done();
          io.stderr.write(`Not ready: ${problem}\n`);
          return EXIT_ERROR;
        }
        if (values.verbose) io.stderr.write(`try ${attempt}: ${problem}\n`);
        else progress.update(`waiting for the cert-manager API (${Math.ceil(remaining / 1000)}s left): ${problem}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
      }
    });
  });
}

registerCommand('check', runCheck);
