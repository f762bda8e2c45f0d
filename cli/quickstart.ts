/**
 * `certwright quickstart` (`npm start`): local mode with `examples/quickstart/` applied — a root
 * CA from a SelfSigned ClusterIssuer, a CA ClusterIssuer on it, a server and an mTLS client
 * certificate. Prints where everything is, writes each Secret's files under DIR/certs, and keeps
 * running (and renewing) until Ctrl-C. A second start resumes without reissuing.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Certificate } from '../api/types.js';
import type { KubeSecret } from '../issuers/backend.js';
import { keyOf } from '../controller/runtime/keys.js';
import { SECRETS } from '../controller/runtime/resources.js';
import { registerCommand, type Io } from './commands.js';
import { readManifests } from './manifests.js';
import { renderTable } from './output.js';
import { runUntilStopped, runUsage, type RunFlags, type RunningController } from './run.js';

export const QUICKSTART_DIR = fileURLToPath(new URL('../../examples/quickstart/', import.meta.url));
/** How long the first start waits for every certificate before printing what it has. */
const READY_TIMEOUT_MS = 60_000;

const usage = `Usage: certwright quickstart [run flags]

Local mode with examples/quickstart applied: a root CA, a CA ClusterIssuer, a server and an mTLS
client certificate. Writes every certificate's Secret as files under DIR/certs/<namespace>/<secret>/,
logs to DIR/certwright.log, and keeps renewing until Ctrl-C. Accepts the flags of \`certwright run\`.

${runUsage.split('\n').slice(runUsage.split('\n').findIndex((l) => l.startsWith('Flags'))).join('\n')}`;

type Ref = { namespace: string; name: string };

function readyCondition(certificate: Certificate | undefined) {
  return certificate?.status?.conditions?.find((c) => c.type === 'Ready');
}

export function certificateTable(certificates: readonly (Certificate | undefined)[], refs: readonly Ref[]): string {
  const rows = refs.map((ref, i) => {
    const c = certificates[i];
    const ready = readyCondition(c);
    return [
      `${ref.namespace}/${ref.name}`,
      ready?.status ?? 'Unknown',
      c?.status?.notAfter ?? '-',
      c?.status?.renewalTime ?? '-',
      c ? `${ref.namespace}/${c.spec.secretName}` : '-',
      ready && ready.status !== 'True' ? `${ready.reason}: ${ready.message}` : '',
    ];
  });
  return renderTable(['CERTIFICATE', 'READY', 'NOT AFTER', 'RENEWAL TIME', 'SECRET', 'WHY NOT READY'], rows);
}

/** Writes every data entry of `secret` to `<certsDir>/<namespace>/<name>/<key>` (owner-only, atomically). */
export async function writeSecretFiles(certsDir: string, secret: KubeSecret): Promise<string> {
  const dir = join(certsDir, secret.metadata.namespace ?? '', secret.metadata.name ?? '');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    const path = join(dir, key);
    await writeFile(`${path}.tmp`, Buffer.from(value, 'base64'), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }
  return dir;
}

async function waitForReady(running: RunningController, refs: readonly Ref[]): Promise<void> {
  const informer = running.manager.informers.certificates;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (refs.every((ref) => readyCondition(informer.get(ref))?.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function quickstart(running: RunningController, flags: RunFlags, io: Io): Promise<void> {
  const { manager } = running;
  const dataDir = resolve(flags.dataDir);
  const certsDir = join(dataDir, 'certs');
  const refs: Ref[] = (await readManifests(QUICKSTART_DIR))
    .filter((o) => o.kind === 'Certificate')
    .map((o) => ({ namespace: o.metadata.namespace ?? 'default', name: o.metadata.name ?? '' }));
  await waitForReady(running, refs);

  const informer = manager.informers.certificates;
  const exportSecret = async (certificate: Certificate) => {
    const secret = await manager.client.find<KubeSecret>(SECRETS, { namespace: certificate.metadata.namespace, name: certificate.spec.secretName });
    return secret ? writeSecretFiles(certsDir, secret) : undefined;
  };
  for (const ref of refs) {
    const certificate = informer.get(ref);
    if (certificate) await exportSecret(certificate);
  }
  const shown = (path: string) => {
    const inside = relative(process.cwd(), path);
    return inside.startsWith('..') || isAbsolute(inside) ? path : inside || '.';
  };
  io.stdout.write(
    [
      '',
      `certwright quickstart: local mode, data in ${shown(dataDir)}/`,
      '',
      certificateTable(
        refs.map((ref) => informer.get(ref)),
        refs,
      ),
      '',
      `Secrets as files:  ${shown(certsDir)}/<namespace>/<secret>/{tls.crt,tls.key,ca.crt}`,
      `kubectl:           kubectl --kubeconfig ${shown(running.kubeconfigPath!)} get certificates -A`,
      ...(manager.metricsUrl ? [`metrics:           ${manager.metricsUrl}/metrics`] : []),
      `logs:              ${shown(join(dataDir, 'certwright.log'))}`,
      '',
      'Running: certificates are renewed when due and their files rewritten. Ctrl-C stops.',
      '',
    ].join('\n'),
  );

  const followed = new Set(refs.map((ref) => keyOf(ref)));
  informer.addEventHandler({
    onUpdate: (old, certificate) => {
      if (!followed.has(keyOf({ namespace: certificate.metadata.namespace, name: certificate.metadata.name! }))) return;
      if ((certificate.status?.revision ?? 0) <= (old.status?.revision ?? 0)) return;
      void exportSecret(certificate).then(
        () =>
          io.stdout.write(
            `${new Date().toISOString()} renewed ${certificate.metadata.namespace}/${certificate.metadata.name} (revision ${certificate.status?.revision}): not after ${certificate.status?.notAfter}, next renewal ${certificate.status?.renewalTime}\n`,
          ),
        (err: unknown) => io.stderr.write(`could not write files of ${certificate.spec.secretName}: ${(err as Error).message}\n`),
      );
    },
  });
}

registerCommand('quickstart', (args, io) =>
  runUntilStopped(
    args,
    io,
    usage,
    (flags) => ({
      ...flags,
      local: true,
      apply: [QUICKSTART_DIR, ...flags.apply],
      logFile: flags.logFile ?? join(resolve(flags.dataDir), 'certwright.log'),
    }),
    (running, flags) => quickstart(running, flags, io),
  ),
);
