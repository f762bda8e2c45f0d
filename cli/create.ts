/**
 * `certwright create certificaterequest NAME --from-certificate-file FILE`: what cmctl's command
 * of the same name does — generates a private key as the Certificate manifest asks, writes it to
 * a file (never to the cluster), builds the CSR from the manifest's spec and creates a
 * CertificateRequest; with `--fetch-certificate` it waits for the signed certificate and writes it.
 */
import { writeFile } from 'node:fs/promises';
import type { Certificate, CertificateRequest } from '../api/types.js';
import { CERTIFICATE_API_VERSION } from '../api/well-known.js';
import { csrSpecFor } from '../controller/certificates/requests.js';
import { requestFailure } from '../controller/certificates/reconciler.js';
import { CONDITION_APPROVED, CONDITION_READY, REASON_ISSUED, readyReason } from '../controller/certificaterequests/status.js';
import { findCondition } from '../controller/conditions.js';
import type { KubeClient } from '../controller/runtime/client.js';
import { CERTIFICATE_REQUESTS } from '../controller/runtime/resources.js';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey } from '../pki/index.js';
import { programName, registerCommand, type Io } from './commands.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from './kube.js';
import { readManifests } from './manifests.js';
import { progressLine, type Progress } from './output.js';
import { durationFlag, EXIT_OK, expectPositionals, parseCommandArgs, runCommand, UsageError } from './usage.js';

const DEFAULT_FETCH_TIMEOUT_MS = 5 * 60_000;
const POLL_INTERVAL_MS = 500;

/** The one Certificate in a manifest file; a specific error otherwise. */
export async function certificateFromManifest(path: string): Promise<Certificate> {
  const objects = await readManifests(path);
  const certificates = objects.filter((o) => o.kind === 'Certificate' && o.apiVersion === CERTIFICATE_API_VERSION) as Certificate[];
  if (certificates.length !== 1) {
    throw new Error(`${path} must hold exactly one ${CERTIFICATE_API_VERSION} Certificate, found ${certificates.length}`);
  }
  const certificate = certificates[0]!;
  if (!certificate.spec?.issuerRef?.name) throw new Error(`the Certificate in ${path} has no spec.issuerRef.name`);
  return certificate;
}

/** The CertificateRequest cmctl builds: the Certificate's labels, annotations, issuer, duration, usages and isCA. */
export function certificateRequestFor(certificate: Certificate, name: string, namespace: string, csrPem: string): CertificateRequest {
  const { spec, metadata } = certificate;
  return {
    apiVersion: CERTIFICATE_API_VERSION,
    kind: 'CertificateRequest',
    metadata: { name, namespace, ...(metadata.labels ? { labels: metadata.labels } : {}), ...(metadata.annotations ? { annotations: metadata.annotations } : {}) },
    spec: {
      issuerRef: spec.issuerRef,
      request: Buffer.from(csrPem).toString('base64'),
      ...(spec.duration ? { duration: spec.duration } : {}),
      ...(spec.isCA ? { isCA: true } : {}),
      ...(spec.usages?.length ? { usages: spec.usages } : {}),
    },
  };
}

/** Where a request stands while we wait for it: issued, failed (with why), or still waiting (with on what). */
export function requestProgress(request: CertificateRequest): { state: 'issued' } | { state: 'failed'; why: string } | { state: 'waiting'; on: string } {
  if (readyReason(request) === REASON_ISSUED && request.status?.certificate) return { state: 'issued' };
  const failure = requestFailure(request);
  if (failure) return { state: 'failed', why: `${failure.reason}: ${failure.message}` };
  if (!findCondition(request.status?.conditions, CONDITION_APPROVED)) return { state: 'waiting', on: 'approval' };
  return { state: 'waiting', on: findCondition(request.status?.conditions, CONDITION_READY)?.message || 'the issuer' };
}

async function waitForCertificate(client: KubeClient, ref: { namespace: string; name: string }, timeoutMs: number, progress: Progress): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const request = await client.get<CertificateRequest>(CERTIFICATE_REQUESTS, ref);
    const where = requestProgress(request);
    if (where.state === 'issued') return Buffer.from(request.status!.certificate!, 'base64').toString('utf8');
    if (where.state === 'failed') throw new Error(`CertificateRequest ${ref.namespace}/${ref.name} failed: ${where.why}`);
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for CertificateRequest ${ref.namespace}/${ref.name} (waiting on ${where.on})`);
    progress.update(`waiting for CertificateRequest ${ref.namespace}/${ref.name}: ${where.on}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** Writes `text` to a new file only (an existing key or certificate is never overwritten). */
async function writeNewFile(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx', mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${path} already exists; remove it or choose another file`);
    throw err;
  }
}

const usageOf = (program: string) => `Usage: ${program} create certificaterequest NAME --from-certificate-file FILE [flags]

Creates CertificateRequest NAME from a Certificate manifest, as cmctl does: generates the private
key the manifest asks for and writes it to a file (it never goes to the cluster), builds the CSR
from the manifest's spec and creates the request. With --fetch-certificate, waits for it to be
signed and writes the certificate chain.

Flags:
  --from-certificate-file FILE   the Certificate manifest (YAML or JSON)
  --output-key-file FILE         where the key goes (default NAME.key; never overwritten)
  --fetch-certificate            wait for the signed certificate and write it
  --output-certificate-file FILE where it goes (default NAME.crt)
  --timeout D                    how long --fetch-certificate waits (default 5m)

Exit status: 0 created (and fetched), 1 error or timeout, 2 usage error.

${CONNECTION_HELP}`;

const options = {
  ...CONNECTION_OPTIONS,
  'from-certificate-file': { type: 'string' },
  'output-key-file': { type: 'string' },
  'fetch-certificate': { type: 'boolean' },
  'output-certificate-file': { type: 'string' },
  timeout: { type: 'string' },
} as const;

async function runCreate(args: string[], io: Io): Promise<number> {
  return runCommand(args, io, usageOf(programName(io.argv0)), async () => {
    const { values, positionals } = parseCommandArgs(args, options);
    const [kind, name] = expectPositionals(positionals, ['a kind (certificaterequest)', 'NAME']);
    if (!['certificaterequest', 'certificaterequests', 'cr'].includes(kind!)) throw new UsageError(`create supports "certificaterequest", got ${JSON.stringify(kind)}`);
    const manifest = values['from-certificate-file'];
    if (!manifest) throw new UsageError('--from-certificate-file is required');
    const timeoutMs = durationFlag('timeout', values.timeout, DEFAULT_FETCH_TIMEOUT_MS);
    const certificate = await certificateFromManifest(manifest);
    const manifestNamespace = certificate.metadata.namespace;
    if (values.namespace && manifestNamespace && values.namespace !== manifestNamespace) {
      throw new UsageError(`the Certificate manifest is for namespace ${manifestNamespace}, not ${values.namespace}`);
    }
    const key = await generatePrivateKey(certificate.spec.privateKey);
    const csrPem = await generateCsr(csrSpecFor(certificate), key);
    return withConnection(values, async ({ client, namespace: contextNamespace }) => {
      const namespace = manifestNamespace ?? contextNamespace;
      const keyFile = values['output-key-file'] ?? `${name}.key`;
      await writeNewFile(keyFile, encodePrivateKeyPem(key, certificate.spec.privateKey?.encoding), 0o600);
      await client.create(CERTIFICATE_REQUESTS, certificateRequestFor(certificate, name!, namespace, csrPem));
      io.stdout.write(`Created CertificateRequest ${namespace}/${name}; private key written to ${keyFile}\n`);
      if (!values['fetch-certificate']) return EXIT_OK;
      const progress = progressLine(io.stderr);
      try {
        const chainPem = await waitForCertificate(client, { namespace, name: name! }, timeoutMs, progress);
        const certificateFile = values['output-certificate-file'] ?? `${name}.crt`;
        await writeNewFile(certificateFile, chainPem, 0o644);
        io.stdout.write(`Certificate written to ${certificateFile}\n`);
        return EXIT_OK;
      } finally {
        progress.done();
      }
    });
  });
}

registerCommand('create', runCreate);
