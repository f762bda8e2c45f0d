/**
 * `certwright approve` / `certwright deny`: add the Approved or Denied condition to a
 * CertificateRequest through the status subresource, with cmctl's semantics — a request that is
 * already approved or denied is refused, since neither condition may change once set.
 */
import type { CertificateRequest } from '../api/types.js';
import { findCondition, withCondition } from '../controller/conditions.js';
import { CONDITION_APPROVED, CONDITION_DENIED } from '../controller/certificaterequests/status.js';
import { CERTIFICATE_REQUESTS } from '../controller/runtime/resources.js';
import { programName, registerCommand, type Io } from './commands.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from './kube.js';
import { EXIT_OK, expectPositionals, parseCommandArgs, runCommand } from './usage.js';

/** cmctl's default reason is `KubectlCertManager`; ours names certwright the same way. */
export const DEFAULT_DECISION_REASON = 'KubectlCertwright';

export type Decision = 'approve' | 'deny';

const conditionOf: Record<Decision, string> = { approve: CONDITION_APPROVED, deny: CONDITION_DENIED };

/**
 * The request with the decision's condition added; throws when it already carries Approved or
 * Denied (the API forbids changing them, and deciding twice is a mistake worth reporting).
 */
export function withDecision(request: CertificateRequest, decision: Decision, reason: string, message: string, nowMs: number): CertificateRequest {
  const ref = `${request.metadata.namespace}/${request.metadata.name}`;
  for (const type of [CONDITION_APPROVED, CONDITION_DENIED]) {
    if (findCondition(request.status?.conditions, type)) throw new Error(`CertificateRequest ${ref} already has a ${type} condition`);
  }
  const conditions = withCondition(request.status?.conditions, { type: conditionOf[decision], status: 'True', reason, message }, nowMs);
  return { ...request, status: { ...request.status, conditions } };
}

const usageOf = (program: string, decision: Decision) => `Usage: ${program} ${decision} NAME [--reason R] [--message M] [flags]

${decision === 'approve' ? 'Approves' : 'Denies'} a CertificateRequest (adds the ${conditionOf[decision]} condition), as cmctl ${decision} does.
Refused when the request is already approved or denied.

Flags:
  --reason R     condition reason (default ${DEFAULT_DECISION_REASON})
  --message M    condition message (default: manually ${decision === 'approve' ? 'approved' : 'denied'} by "${program}")

${CONNECTION_HELP}`;

const options = {
  ...CONNECTION_OPTIONS,
  reason: { type: 'string' },
  message: { type: 'string' },
} as const;

function decisionCommand(decision: Decision) {
  return async (args: string[], io: Io): Promise<number> => {
    const program = programName(io.argv0);
    return runCommand(args, io, usageOf(program, decision), async () => {
      const { values, positionals } = parseCommandArgs(args, options);
      const [name] = expectPositionals(positionals, ['NAME']);
      const reason = values.reason ?? DEFAULT_DECISION_REASON;
      const message = values.message ?? `manually ${decision === 'approve' ? 'approved' : 'denied'} by "${program}"`;
      return withConnection(values, async ({ client, namespace }) => {
        const request = await client.get<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace, name: name! });
        // Optimistic concurrency: a request decided by someone else meanwhile fails with a conflict.
        await client.updateStatus(CERTIFICATE_REQUESTS, withDecision(request, decision, reason, message, Date.now()));
        io.stdout.write(`${decision === 'approve' ? 'Approved' : 'Denied'} CertificateRequest ${namespace}/${name}\n`);
        return EXIT_OK;
      });
    });
  };
}

registerCommand('approve', decisionCommand('approve'));
registerCommand('deny', decisionCommand('deny'));
