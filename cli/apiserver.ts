import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { certwrightAdmission } from '../api/admission.js';
import type { KubeObject } from '../apiserver/admission.js';
import { startApiServer } from '../apiserver/index.js';
import { registerCommand, type Io } from './commands.js';

const usage = `Usage: certwright apiserver --data-dir DIR [--listen 127.0.0.1:PORT]

Runs certwright's embedded Kubernetes-compatible API server (local mode) with certwright's CRDs,
persisted in DIR, and writes DIR/kubeconfig for kubectl and certwright. Stops on SIGINT/SIGTERM.
`;

/** certwright's own CRDs, shipped with the package. */
async function bundledCustomResourceDefinitions(): Promise<KubeObject[]> {
  const text = await readFile(new URL('../../crds/all.yaml', import.meta.url), 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null);
}

function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function runApiServer(args: string[], io: Io): Promise<number> {
  let values: { 'data-dir'?: string; listen?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, listen: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  if (!values['data-dir']) {
    io.stderr.write(`--data-dir is required\n\n${usage}`);
    return 2;
  }
  const stopped = waitForStopSignal();
  let server;
  try {
    server = await startApiServer({
      dataDir: values['data-dir'],
      ...(values.listen ? { listen: values.listen } : {}),
      admission: [certwrightAdmission],
      customResourceDefinitions: await bundledCustomResourceDefinitions(),
      onBackgroundError: (e) => io.stderr.write(`apiserver: ${e.message}\n`),
    });
  } catch (e) {
    io.stderr.write(`certwright apiserver: ${(e as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    [
      `certwright API server listening on ${server.url}`,
      `kubeconfig: ${server.kubeconfigPath}`,
      `try: kubectl --kubeconfig ${server.kubeconfigPath} get certificates -A`,
      '',
    ].join('\n'),
  );
  const signal = await stopped;
  io.stdout.write(`${signal}: shutting down\n`);
  await server.close();
  return 0;
}

registerCommand('apiserver', runApiServer);
