/**
 * `certwright renew`: asks for immediate re-issuance the way cmctl does, by setting the
 * Certificate's Issuing condition to True with reason `ManuallyTriggered` through the status
 * subresource. The controller then issues a new revision (bypassing any failure backoff).
 */
import type { Certificate } from '../api/types.js';
import { isIssuing } from '../controller/certificates/metadata.js';
import { withCondition } from '../controller/conditions.js';
import { isConflict } from '../controller/runtime/api-error.js';
import type { KubeClient } from '../controller/runtime/client.js';
import { CERTIFICATES } from '../controller/runtime/resources.js';
import { programName, registerCommand, type Io } from './commands.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from './kube.js';
import { EXIT_ERROR, EXIT_OK, parseCommandArgs, runCommand, UsageError } from './usage.js';

export const MANUALLY_TRIGGERED_REASON = 'ManuallyTriggered';
export const MANUALLY_TRIGGERED_MESSAGE = 'Certificate re-issuance manually triggered';
/** A controller writing status at the same moment gives a 409; the write is retried on the fresh object. */
const CONFLICT_RETRIES = 5;

export type RenewOutcome = 'renewing' | 'already-issuing';

/** The Certificate with Issuing=True ManuallyTriggered, or undefined when it is already issuing. */
export function withRenewalRequested(certificate: Certificate, nowMs: number): Certificate | undefined {
  if (isIssuing(certificate)) return undefined;
  const conditions = withCondition(
    certificate.status?.conditions,
    { type: 'Issuing', status: 'True', reason: MANUALLY_TRIGGERED_REASON, message: MANUALLY_TRIGGERED_MESSAGE, observedGeneration: certificate.metadata.generation },
    nowMs,
  );
  return { ...certificate, status: { ...certificate.status, conditions } };
}

/** Marks one Certificate for renewal, re-reading it after a write conflict. */
export async function renewCertificate(client: KubeClient, certificate: Certificate): Promise<RenewOutcome> {
  let current = certificate;
  for (let attempt = 0; ; attempt++) {
    const renewed = withRenewalRequested(current, Date.now());
    if (!renewed) return 'already-issuing';
    try {
      await client.updateStatus(CERTIFICATES, renewed);
      return 'renewing';
    } catch (err) {
      if (!isConflict(err) || attempt >= CONFLICT_RETRIES) throw err;
      current = await client.get<Certificate>(CERTIFICATES, { namespace: current.metadata.namespace, name: current.metadata.name! });
    }
  }
}

const usageOf = (program: string) => `Usage: ${program} renew (NAME... | --all | -l SELECTOR) [-n NS | -A] [flags]

Marks Certificates for immediate re-issuance (Issuing=True, reason ${MANUALLY_TRIGGERED_REASON}, as cmctl
renew does). Certificates already being issued are left alone.

Flags:
  --all                      every Certificate in the namespace (with -A: in all namespaces)
  -l, --selector SELECTOR    Certificates whose labels match, e.g. app=web
  -A, --all-namespaces       look in every namespace (with --all or -l)

Exit status: 0 when every Certificate was marked, 1 on any error, 2 usage error.

${CONNECTION_HELP}`;

const options = {
  ...CONNECTION_OPTIONS,
  all: { type: 'boolean' },
  selector: { type: 'string', short: 'l' },
  'all-namespaces': { type: 'boolean', short: 'A' },
} as const;

async function runRenew(args: string[], io: Io): Promise<number> {
  const usage = usageOf(programName(io.argv0));
  return runCommand(args, io, usage, async () => {
    const { values, positionals: names } = parseCommandArgs(args, options);
    const bySelection = values.all || values.selector !== undefined;
    if (names.length > 0 && bySelection) throw new UsageError('give Certificate names or --all/-l, not both');
    if (names.length === 0 && !bySelection) throw new UsageError('give Certificate names, --all or -l SELECTOR');
    if (values['all-namespaces'] && names.length > 0) throw new UsageError('-A goes with --all or -l, not with names');
    return withConnection(values, async ({ client, namespace }) => {
      const certificates = bySelection
        ? (
            await client.list<Certificate>(CERTIFICATES, {
              ...(values['all-namespaces'] ? {} : { namespace }),
              ...(values.selector ? { labelSelector: values.selector } : {}),
            })
          ).items
        : await Promise.all(names.map((name) => client.get<Certificate>(CERTIFICATES, { namespace, name })));
      if (certificates.length === 0) {
        io.stderr.write(`no Certificates found${values['all-namespaces'] ? '' : ` in namespace ${namespace}`}\n`);
        return EXIT_ERROR;
      }
      let failed = false;
      for (const certificate of certificates) {
        const ref = `${certificate.metadata.namespace}/${certificate.metadata.name}`;
        try {
          const outcome = await renewCertificate(client, certificate);
          io.stdout.write(outcome === 'renewing' ? `Manually triggered issuance of Certificate ${ref}\n` : `Certificate ${ref} is already being issued\n`);
        } catch (err) {
          failed = true;
          io.stderr.write(`error: Certificate ${ref}: ${(err as Error).message}\n`);
        }
      }
      return failed ? EXIT_ERROR : EXIT_OK;
    });
  });
}

registerCommand('renew', runRenew);
