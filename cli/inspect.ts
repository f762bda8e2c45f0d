/**
 * `certwright inspect secret NAME`: decodes a certificate Secret — the chain in `tls.crt` with
 * validity, SANs and fingerprints, whether `tls.key` matches it, `ca.crt` and whether the chain
 * verifies against it. The private key itself is never printed.
 */
import { CERTIFICATE_NAME_ANNOTATION, ISSUER_KIND_ANNOTATION, ISSUER_NAME_ANNOTATION } from '../api/well-known.js';
import { SECRETS } from '../controller/runtime/resources.js';
import type { KubeSecret } from '../issuers/backend.js';
import { inspectKubeSecret, summarizeSecret, type CertificateSummary, type SecretSummary } from './certificate-summary.js';
import { programName, registerCommand, type Io } from './commands.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from './kube.js';
import { formatStructured, outputFormat, painter, relativeTime, wantsColour, type Paint } from './output.js';
import { EXIT_ERROR, EXIT_OK, expectPositionals, parseCommandArgs, runCommand, UsageError } from './usage.js';

function certificateBlock(index: number, c: CertificateSummary, now: number, paint: Paint): string[] {
  const rows: Array<[string, string]> = [
    ['subject', c.subject || '(empty)'],
    ['issuer', c.issuer],
    ['serial', c.serialNumber],
    ['not before', c.notBefore],
    ['not after', `${c.notAfter} (${c.expired ? paint('bad', `expired ${relativeTime(Date.parse(c.notAfter), now)}`) : `expires ${relativeTime(Date.parse(c.notAfter), now)}`})`],
    ['DNS names', c.dnsNames.join(', ')],
    ['IP addresses', c.ipAddresses.join(', ')],
    ['URIs', c.uris.join(', ')],
    ['emails', c.emailAddresses.join(', ')],
    ['usages', c.usages.join(', ')],
    ['CA', c.isCA ? 'yes' : 'no'],
    ['public key', c.publicKey],
    ['SHA-256', c.fingerprintSha256],
  ];
  const shown = rows.filter(([, value]) => value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return [`  [${index}] ${c.subject || c.serialNumber}`, ...shown.map(([label, value]) => `      ${label.padEnd(width)}  ${value}`)];
}

export function renderSecretInspection(summary: SecretSummary, annotations: Record<string, string>, now: number, paint: Paint): string {
  if (!summary.exists) return `Secret ${summary.namespace}/${summary.name} does not exist\n`;
  const lines = [`Secret ${summary.namespace}/${summary.name}${summary.type ? ` (${summary.type})` : ''}`];
  const certificateName = annotations[CERTIFICATE_NAME_ANNOTATION];
  if (certificateName) lines.push(`  written for Certificate ${certificateName} by ${annotations[ISSUER_KIND_ANNOTATION] ?? 'Issuer'}/${annotations[ISSUER_NAME_ANNOTATION] ?? '?'}`);
  const match = summary.keyMatchesCertificate === undefined ? '' : summary.keyMatchesCertificate ? ', matches the certificate' : paint('bad', ', does NOT match the certificate');
  lines.push(`  private key (tls.key): ${summary.privateKey}${match}`, '');
  if (summary.certificateProblem) {
    lines.push(`Certificate (tls.crt): ${paint('bad', summary.certificateProblem)}`);
  } else {
    lines.push(`Certificate chain (tls.crt), leaf first: ${summary.chain!.length} certificate(s)`);
    summary.chain!.forEach((c, i) => lines.push(...certificateBlock(i, c, now, paint)));
  }
  lines.push('');
  if (summary.caProblem) lines.push(`CA (ca.crt): ${paint('bad', summary.caProblem)}`);
  else if (!summary.ca) lines.push('CA (ca.crt): absent');
  else {
    lines.push(`CA (ca.crt): ${summary.ca.length} certificate(s)`);
    summary.ca.forEach((c, i) => lines.push(...certificateBlock(i, c, now, paint)));
    if (summary.chainVerifies !== undefined) {
      lines.push(`  chain verifies against ca.crt: ${summary.chainVerifies ? paint('good', 'yes') : paint('bad', `no (${summary.chainProblem})`)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const usageOf = (program: string) => `Usage: ${program} inspect secret NAME [-o json|yaml] [flags]

Decodes a certificate Secret: the chain in tls.crt (validity, SANs, usages, fingerprints), whether
tls.key matches it, ca.crt and whether the chain verifies against it. Keys are never printed.

Exit status: 0 decoded, 1 error (missing Secret, undecodable data), 2 usage error.

Flags:
  -o, --output FORMAT   json or yaml instead of the human form
${CONNECTION_HELP}`;

const options = { ...CONNECTION_OPTIONS, output: { type: 'string', short: 'o' } } as const;

async function runInspect(args: string[], io: Io): Promise<number> {
  return runCommand(args, io, usageOf(programName(io.argv0)), async () => {
    const { values, positionals } = parseCommandArgs(args, options);
    const [kind, name] = expectPositionals(positionals, ['a kind (secret)', 'NAME']);
    if (!['secret', 'secrets'].includes(kind!)) throw new UsageError(`inspect supports "secret", got ${JSON.stringify(kind)}`);
    const format = outputFormat(values.output);
    return withConnection(values, async ({ client, namespace }) => {
      const secret = await client.find<KubeSecret>(SECRETS, { namespace, name: name! });
      if (!secret) throw new Error(`Secret ${namespace}/${name} not found`);
      const now = Date.now();
      const summary = summarizeSecret(namespace, name!, inspectKubeSecret(secret), now);
      io.stdout.write(
        format ? formatStructured(summary, format) : renderSecretInspection(summary, secret.metadata.annotations ?? {}, now, painter(wantsColour(io.stdout))),
      );
      return summary.certificateProblem ? EXIT_ERROR : EXIT_OK;
    });
  });
}

registerCommand('inspect', runInspect);
