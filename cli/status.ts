/**
 * `certwright status certificate NAME`: gathers a Certificate and everything its issuance
 * involves (Secret, CertificateRequests, ACME Order and Challenges, Issuer, Events) into one
 * snapshot, diagnoses it, and prints the verdict first and the details after.
 */
import type { AnyIssuer, Certificate, CertificateRequest, Challenge, Condition, Order } from '../api/types.js';
import { issuerRefWithDefaults } from '../api/defaults.js';
import type { KubeObject } from '../apiserver/admission.js';
import { nextRevision, requestForRevision, revisionOf } from '../controller/certificates/requests.js';
import type { CoreEvent } from '../controller/events.js';
import { isNotFound } from '../controller/runtime/api-error.js';
import type { KubeClient } from '../controller/runtime/client.js';
import {
  CERTIFICATE_REQUESTS,
  CERTIFICATES,
  CHALLENGES,
  CLUSTER_ISSUERS,
  EVENTS,
  ISSUERS,
  ORDERS,
  SECRETS,
} from '../controller/runtime/resources.js';
import { DEFAULT_CLUSTER_RESOURCE_NAMESPACE } from '../issuers/context.js';
import type { KubeSecret } from '../issuers/backend.js';
import { inspectKubeSecret, summarizeSecret, type SecretSummary } from './certificate-summary.js';
import { programName, registerCommand, type Io } from './commands.js';
import { describeSolver, diagnose, type CertificateSnapshot, type IssuerSnapshot, type Verdict } from './diagnosis.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from './kube.js';
import { formatStructured, outputFormat, painter, relativeTime, renderTable, wantsColour, type Paint } from './output.js';
import { EXIT_NOT_READY, EXIT_OK, expectPositionals, parseCommandArgs, runCommand, UsageError } from './usage.js';

const CERT_MANAGER_GROUP = 'cert-manager.io';
/** Events shown: the most recent across the objects involved. */
const MAX_EVENTS = 15;

const ownedBy = (owner: KubeObject) => (obj: KubeObject) => obj.metadata.ownerReferences?.some((ref) => ref.uid === owner.metadata.uid) ?? false;

/** Lists `type` in `namespace`, or nothing when the API does not serve it (a cluster without the ACME CRDs). */
async function listOrNothing<T extends KubeObject>(client: KubeClient, type: typeof ORDERS, namespace: string): Promise<T[]> {
  try {
    return (await client.list<T>(type, { namespace })).items;
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

const newestFirst = (a: KubeObject, b: KubeObject) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');

async function gatherIssuer(client: KubeClient, certificate: Certificate, clusterResourceNamespace: string): Promise<IssuerSnapshot> {
  const ref = issuerRefWithDefaults(certificate.spec.issuerRef);
  const base = { name: ref.name, kind: ref.kind, group: ref.group };
  const type = ref.kind === 'ClusterIssuer' ? CLUSTER_ISSUERS : ref.kind === 'Issuer' ? ISSUERS : undefined;
  if (ref.group !== CERT_MANAGER_GROUP || !type) return { ...base, external: true };
  const namespace = type.namespaced ? certificate.metadata.namespace : undefined;
  const object = await client.find<AnyIssuer>(type, { namespace, name: ref.name });
  if (!object) return { ...base, external: false };
  const caSecretName = object.spec.ca?.secretName;
  if (!caSecretName) return { ...base, external: false, object };
  const secretNamespace = namespace ?? clusterResourceNamespace;
  // Reading the CA's Secret may be forbidden to this user; the Issuer's condition still tells.
  const exists = await client.find(SECRETS, { namespace: secretNamespace, name: caSecretName }).then(
    (secret) => secret !== undefined,
    () => undefined,
  );
  return { ...base, external: false, object, ...(exists === undefined ? {} : { caSecret: { namespace: secretNamespace, name: caSecretName, exists } }) };
}

async function eventsAbout(client: KubeClient, objects: readonly KubeObject[]): Promise<CoreEvent[]> {
  const lists = await Promise.all(
    objects.map(async (obj) => {
      const list = await client.list<CoreEvent>(EVENTS, { namespace: obj.metadata.namespace ?? 'default', fieldSelector: `involvedObject.name=${obj.metadata.name}` });
      return list.items.filter((e) => e.involvedObject.kind === obj.kind && (!e.involvedObject.uid || e.involvedObject.uid === obj.metadata.uid));
    }),
  );
  const time = (e: CoreEvent) => e.lastTimestamp || (e as { eventTime?: string }).eventTime || e.metadata.creationTimestamp || '';
  return lists
    .flat()
    .sort((a, b) => time(a).localeCompare(time(b)))
    .slice(-MAX_EVENTS);
}

export interface GatherOptions {
  clusterResourceNamespace?: string;
  now?: number;
}

/** Reads everything about one Certificate; a missing Certificate is an error naming it. */
export async function gatherCertificateSnapshot(client: KubeClient, namespace: string, name: string, options: GatherOptions = {}): Promise<CertificateSnapshot> {
  const certificate = await client.find<Certificate>(CERTIFICATES, { namespace, name });
  if (!certificate) throw new Error(`Certificate ${namespace}/${name} not found`);
  const [secret, requestList, issuer] = await Promise.all([
    client.find<KubeSecret>(SECRETS, { namespace, name: certificate.spec.secretName }),
    client.list<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace }),
    gatherIssuer(client, certificate, options.clusterResourceNamespace ?? DEFAULT_CLUSTER_RESOURCE_NAMESPACE),
  ]);
  const requests = requestList.items.filter(ownedBy(certificate));
  const revision = certificate.status?.revision;
  const currentRequest = revision === undefined ? undefined : requestForRevision(requests, revision);
  const nextRequest = requestForRevision(requests, nextRevision(certificate));
  const order = nextRequest ? (await listOrNothing<Order>(client, ORDERS, namespace)).filter(ownedBy(nextRequest)).sort(newestFirst)[0] : undefined;
  const challenges = order ? (await listOrNothing<Challenge>(client, CHALLENGES, namespace)).filter(ownedBy(order)) : [];
  const involved = [certificate, currentRequest, nextRequest, order, issuer.object, ...challenges].filter((o) => o !== undefined) as unknown as KubeObject[];
  return {
    now: options.now ?? Date.now(),
    certificate,
    secret: inspectKubeSecret(secret),
    ...(currentRequest ? { currentRequest } : {}),
    ...(nextRequest ? { nextRequest } : {}),
    ...(order ? { order } : {}),
    challenges,
    issuer,
    events: await eventsAbout(client, involved),
  };
}

const conditionSummary = (conditions: readonly Condition[] | undefined) =>
  (conditions ?? []).map(({ type, status, reason, message, lastTransitionTime }) => ({ type, status, reason, message, lastTransitionTime }));

function requestSummary(request: CertificateRequest, role: 'current' | 'next') {
  return { name: request.metadata.name, role, revision: revisionOf(request), conditions: conditionSummary(request.status?.conditions) };
}

/** The snapshot as plain data (what `-o json|yaml` prints); no Secret data, only its description. */
export function summarizeSnapshot(s: CertificateSnapshot, verdict: Verdict) {
  const { certificate } = s;
  const status = certificate.status ?? {};
  const ns = certificate.metadata.namespace ?? '';
  return {
    ready: verdict.ready,
    code: verdict.code,
    reason: verdict.reason,
    nextStep: verdict.nextStep,
    certificate: {
      namespace: ns,
      name: certificate.metadata.name,
      secretName: certificate.spec.secretName,
      dnsNames: certificate.spec.dnsNames ?? [],
      commonName: certificate.spec.commonName,
      conditions: conditionSummary(status.conditions),
      revision: status.revision,
      notBefore: status.notBefore,
      notAfter: status.notAfter,
      renewalTime: status.renewalTime,
      failedIssuanceAttempts: status.failedIssuanceAttempts,
      lastFailureTime: status.lastFailureTime,
    },
    issuer: {
      kind: s.issuer.kind,
      name: s.issuer.name,
      group: s.issuer.group,
      found: s.issuer.external ? undefined : s.issuer.object !== undefined,
      conditions: conditionSummary(s.issuer.object?.status?.conditions),
      ...(s.issuer.caSecret ? { caSecret: s.issuer.caSecret } : {}),
    },
    secret: summarizeSecret(ns, certificate.spec.secretName, s.secret, s.now),
    certificateRequests: [
      ...(s.currentRequest ? [requestSummary(s.currentRequest, 'current')] : []),
      ...(s.nextRequest ? [requestSummary(s.nextRequest, 'next')] : []),
    ],
    order: s.order ? { name: s.order.metadata.name, state: s.order.status?.state, reason: s.order.status?.reason, url: s.order.status?.url } : undefined,
    challenges: s.challenges.map((c) => ({
      name: c.metadata.name,
      dnsName: c.spec.dnsName,
      wildcard: c.spec.wildcard ?? false,
      type: c.spec.type,
      solver: describeSolver(c),
      state: c.status?.state,
      presented: c.status?.presented ?? false,
      reason: c.status?.reason,
    })),
    events: s.events.map((e) => ({
      object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
      type: e.type,
      reason: e.reason,
      message: e.message,
      count: e.count,
      lastTimestamp: e.lastTimestamp,
    })),
  };
}

type Summary = ReturnType<typeof summarizeSnapshot>;

/** `label  value` lines under a heading, labels aligned. */
function section(title: string, rows: ReadonlyArray<readonly [string, string | undefined]>): string {
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return [title, ...shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}

function conditionLine(paint: Paint, c: { status: string; reason?: string | undefined; message?: string | undefined }): string {
  const tone = c.status === 'True' ? 'good' : c.status === 'False' ? 'bad' : 'warn';
  return `${paint(tone, c.status)}  ${[c.reason, c.message].filter(Boolean).join(': ')}`;
}

const when = (iso: string | undefined, now: number) => (iso ? `${iso} (${relativeTime(Date.parse(iso), now)})` : undefined);
const list = (items: readonly string[]) => (items.length ? items.join(', ') : undefined);

function secretSection(secret: SecretSummary, now: number, paint: Paint): string {
  const title = `Secret ${secret.namespace}/${secret.name}`;
  if (!secret.exists) return section(title, [['exists', paint('bad', 'no')]]);
  const leaf = secret.chain?.[0];
  return section(title, [
    ['type', secret.type],
    ['private key', secret.privateKey],
    ['certificate', secret.certificateProblem ? paint('bad', secret.certificateProblem) : leaf?.subject || '(empty subject)'],
    ['issued by', leaf?.issuer],
    ['DNS names', leaf && list(leaf.dnsNames)],
    ['IP addresses', leaf && list(leaf.ipAddresses)],
    ['URIs', leaf && list(leaf.uris)],
    ['emails', leaf && list(leaf.emailAddresses)],
    ['not before', leaf && when(leaf.notBefore, now)],
    ['not after', leaf && (leaf.expired ? paint('bad', `${leaf.notAfter} (expired ${relativeTime(Date.parse(leaf.notAfter), now)})`) : when(leaf.notAfter, now))],
    ['key matches', secret.keyMatchesCertificate === undefined ? undefined : secret.keyMatchesCertificate ? 'yes' : paint('bad', 'no')],
    ['chain length', secret.chain ? String(secret.chain.length) : undefined],
    ['ca.crt', secret.ca ? `${secret.ca.length} certificate(s)${secret.chainVerifies === false ? paint('bad', `; chain does not verify: ${secret.chainProblem}`) : '; chain verifies'}` : (secret.caProblem ?? 'absent')],
  ]);
}

/** The first line: `Ready: …. Next: ….` or `Not Ready (Code): …. Next: ….` */
export function verdictLine(verdict: Pick<Verdict, 'ready' | 'code' | 'reason' | 'nextStep'>, paint: Paint): string {
  const head = verdict.ready ? paint('good', 'Ready') : paint('bad', `Not Ready (${verdict.code})`);
  return `${head}: ${verdict.reason}. Next: ${verdict.nextStep}.`;
}

/** The human form: the verdict line, then one section per object. */
export function renderStatus(summary: Summary, now: number, paint: Paint): string {
  const { certificate: c, issuer } = summary;
  const blocks = [
    verdictLine(summary, paint),
    section(`Certificate ${c.namespace}/${c.name}`, [
      ...c.conditions.map((cond) => [cond.type, conditionLine(paint, cond)] as const),
      ['common name', c.commonName],
      ['DNS names', list(c.dnsNames)],
      ['secret', c.secretName],
      ['revision', c.revision === undefined ? 'none issued yet' : String(c.revision)],
      ['not after', when(c.notAfter, now)],
      ['renewal time', when(c.renewalTime, now)],
      ['failed attempts', c.failedIssuanceAttempts ? `${c.failedIssuanceAttempts} (last ${c.lastFailureTime})` : undefined],
    ]),
    section(`Issuer ${issuer.kind}/${issuer.name} (${issuer.group})`, [
      ['found', issuer.found === undefined ? 'external issuer: not checked' : issuer.found ? 'yes' : paint('bad', 'no')],
      ...issuer.conditions.map((cond) => [cond.type, conditionLine(paint, cond)] as const),
      ['CA secret', issuer.caSecret ? `${issuer.caSecret.namespace}/${issuer.caSecret.name}${issuer.caSecret.exists ? '' : paint('bad', ' (missing)')}` : undefined],
    ]),
    secretSection(summary.secret, now, paint),
  ];
  if (summary.certificateRequests.length) {
    const rows = summary.certificateRequests.map((r) => {
      const cond = (type: string) => r.conditions.find((x) => x.type === type);
      const ready = cond('Ready');
      return [r.name ?? '', `${r.revision ?? '?'} (${r.role})`, cond('Approved')?.status ?? '-', cond('Denied')?.status ?? '-', ready?.reason ?? '-', ready?.message ?? ''];
    });
    blocks.push(`CertificateRequests\n${indent(renderTable(['NAME', 'REVISION', 'APPROVED', 'DENIED', 'READY', 'MESSAGE'], rows))}`);
  } else {
    blocks.push('CertificateRequests\n  none for the current or next revision');
  }
  if (summary.order) {
    blocks.push(section(`Order ${c.namespace}/${summary.order.name}`, [['state', summary.order.state ?? 'not submitted'], ['reason', summary.order.reason], ['URL', summary.order.url]]));
  }
  if (summary.challenges.length) {
    const rows = summary.challenges.map((ch) => [`${ch.wildcard ? '*.' : ''}${ch.dnsName}`, ch.solver, ch.state ?? '-', ch.presented ? 'yes' : 'no', ch.reason ?? '']);
    blocks.push(`Challenges\n${indent(renderTable(['DOMAIN', 'SOLVER', 'STATE', 'PRESENTED', 'REASON'], rows))}`);
  }
  if (summary.events.length) {
    const rows = summary.events.map((e) => [
      e.lastTimestamp ? relativeTime(Date.parse(e.lastTimestamp), now) : '-',
      e.object,
      e.type === 'Warning' ? paint('warn', e.type) : e.type,
      e.reason,
      e.message,
    ]);
    blocks.push(`Events\n${indent(renderTable(['AGE', 'OBJECT', 'TYPE', 'REASON', 'MESSAGE'], rows))}`);
  } else {
    blocks.push('Events\n  none');
  }
  return `${blocks.join('\n\n')}\n`;
}

const indent = (text: string) => text.replace(/^/gm, '  ');

const usageOf = (program: string) => `Usage: ${program} status certificate NAME [flags]

Shows a Certificate and everything its issuance involves (Secret, CertificateRequests, ACME Order
and Challenges, Issuer, recent Events). The first line says whether it is Ready and, if not, the
one reason why and what to do next.

Exit status: 0 Ready, 3 not Ready, 1 error (e.g. not found), 2 usage error.

Flags:
  -o, --output FORMAT                 json or yaml instead of the human form
  --cluster-resource-namespace NS     where ClusterIssuer Secrets live (default ${DEFAULT_CLUSTER_RESOURCE_NAMESPACE})
${CONNECTION_HELP}`;

const options = {
  ...CONNECTION_OPTIONS,
  output: { type: 'string', short: 'o' },
  'cluster-resource-namespace': { type: 'string' },
} as const;

async function runStatus(args: string[], io: Io): Promise<number> {
  const program = programName(io.argv0);
  const usage = usageOf(program);
  return runCommand(args, io, usage, async () => {
    const { values, positionals } = parseCommandArgs(args, options);
    const [kind, name] = expectPositionals(positionals, ['a kind (certificate)', 'NAME']);
    if (!['certificate', 'certificates', 'cert', 'certs'].includes(kind!)) throw new UsageError(`status supports "certificate", got ${JSON.stringify(kind)}`);
    const format = outputFormat(values.output);
    return withConnection(values, async ({ client, namespace }) => {
      const snapshot = await gatherCertificateSnapshot(client, namespace, name!, { clusterResourceNamespace: values['cluster-resource-namespace'] ?? DEFAULT_CLUSTER_RESOURCE_NAMESPACE });
      const verdict = diagnose(snapshot, { program });
      const summary = summarizeSnapshot(snapshot, verdict);
      io.stdout.write(format ? formatStructured(summary, format) : renderStatus(summary, snapshot.now, painter(wantsColour(io.stdout))));
      return verdict.ready ? EXIT_OK : EXIT_NOT_READY;
    });
  });
}

registerCommand('status', runStatus);

