/**
 * Least privilege: the chart's RBAC grants exactly the API calls the controller makes. The calls
 * are read from the code — every `client.<method>(RESOURCE, …)` in the files git tracks under
 * controller/, issuers/ and solvers/ — and the few made through a variable resource type are listed below with the line
 * that makes them (checked to exist), so a new call without a permission fails here, and so does
 * a permission nothing uses any more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as resources from '../../controller/runtime/resources.js';
import type { ResourceType } from '../../controller/runtime/resources.js';
import { INGRESSES } from '../../controller/ingress-shim/ingress.js';
import { GATEWAYS } from '../../controller/gateway-shim/gateway.js';
import { LEASES } from '../../controller/leader/leases.js';
import { allows, CAINJECTOR_PERMISSIONS, CONTROLLER_PERMISSIONS, LEASE_PERMISSIONS, policyRules, type Permission } from '../../deploy/chart/rbac.js';
import { chartTemplates } from '../../deploy/chart/manifests.js';
import { renderStatic } from '../../deploy/chart/template.js';
import { defaultValues } from '../../deploy/chart/values.js';
import { readChartInputs, STATIC_RELEASE } from '../../deploy/gen.js';

const ROOT = process.cwd();
const SCANNED = ['controller', 'issuers', 'solvers'];

/** Resource constants the code passes to the client. */
const CONSTANTS: Record<string, ResourceType> = {
  ...Object.fromEntries(Object.entries(resources).filter(([, v]) => typeof v === 'object' && v !== null && 'resource' in v)),
  INGRESSES,
  GATEWAYS,
  LEASES,
};

/** Client method → the RBAC verbs it needs (server-side apply creates a missing object). */
const VERBS: Record<string, string[]> = {
  get: ['get'],
  find: ['get'],
  list: ['list'],
  watch: ['watch'],
  listerWatcher: ['list', 'watch'],
  create: ['create'],
  update: ['update'],
  updateStatus: ['update'],
  patch: ['patch'],
  apply: ['create', 'patch'],
  delete: ['delete'],
};

type Need = `${string}|${string}|${string}`;
const need = (group: string, resource: string, verb: string): Need => `${group}|${resource}|${verb}`;

const cainjectorTargets = CAINJECTOR_PERMISSIONS.map((p) => [p.group, p.resource] as const);

/** Calls through a variable resource type: where they are and what they reach. */
const DYNAMIC_CALLS: Array<{ file: string; code: string; needs: Need[] }> = [
  {
    file: 'controller/certificates/reconciler.ts',
    code: 'client.delete(type, ref',
    needs: [need('cert-manager.io', 'certificaterequests', 'delete'), need('', 'secrets', 'delete')],
  },
  { file: 'controller/issuers/controller.ts', code: 'client.updateStatus<T>(this.#resource', needs: [need('cert-manager.io', 'issuers/status', 'update'), need('cert-manager.io', 'clusterissuers/status', 'update')] },
  { file: 'controller/cainjector/controller.ts', code: 'client.listerWatcher<KubeObject>(kind.resource)', needs: cainjectorTargets.flatMap(([g, r]) => [need(g, r, 'list'), need(g, r, 'watch')]) },
  // Targets are patched only when they exist (from the cache), so no create.
  { file: 'controller/cainjector/controller.ts', code: 'client.apply(kind.resource', needs: cainjectorTargets.map(([g, r]) => need(g, r, 'patch')) },
  // getCachedOrFetch reads the type its caller passes; it has no caller (checked below).
  { file: 'controller/runtime/informer.ts', code: 'client.find<T>(type, ref)', needs: [] },
];

/** Client calls the chart deliberately does not grant, and calls on clients that are not the Kubernetes API. */
const NOT_GRANTED: Array<{ file: string; code: string; why: string }> = [
  {
    file: 'issuers/vault/service-account-tokens.ts',
    code: 'client.create<TokenRequest>(tokenSubresource(name)',
    why: 'Vault Kubernetes auth with serviceAccountRef: as with cert-manager, the user grants create on serviceaccounts/token for that one ServiceAccount (a Role with resourceNames)',
  },
  {
    file: 'controller/acme/components.ts',
    code: 'client.post(path',
    why: 'DNS-01 webhook solvers: as with cert-manager, each webhook solver’s own chart grants create on its aggregated API resource',
  },
  { file: 'solvers/dns01/cloudflare.ts', code: 'client.create(zoneId', why: 'the Cloudflare API client' },
  { file: 'solvers/dns01/cloudflare.ts', code: 'client.delete(zoneId', why: 'the Cloudflare API client' },
];

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return walk(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The sources in git (other work in progress in the tree is not the code yet), else every file. */
function sourceFiles(dir: string): string[] {
  try {
    const tracked = execFileSync('git', ['ls-files', '-z', '--', dir], { cwd: ROOT, encoding: 'utf8' }).split('\0');
    return tracked.filter((path) => path.endsWith('.ts') && existsSync(join(ROOT, path)));
  } catch {
    return walk(dir);
  }
}

const CALL = /(?:\bclient|#client)\s*\.\s*(get|find|list|create|update|updateStatus|patch|apply|delete|watch|listerWatcher|post)\s*(?:<[^>(]*>)?\(\s*([^,)]+)/g;

interface ScannedCall {
  file: string;
  method: string;
  argument: string;
  text: string;
}

function scanCalls(): ScannedCall[] {
  return SCANNED.flatMap(sourceFiles).flatMap((file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    return [...source.matchAll(CALL)].map((m) => ({ file, method: m[1]!, argument: m[2]!.trim(), text: m[0] }));
  });
}

function needsOf(call: ScannedCall): Need[] {
  const type = CONSTANTS[call.argument]!;
  const resource = call.method === 'updateStatus' ? `${type.resource}/status` : type.resource;
  return VERBS[call.method]!.map((verb) => need(type.group, resource, verb));
}

function codeNeeds(): { needs: Set<Need>; unexplained: string[] } {
  const needs = new Set<Need>();
  const unexplained: string[] = [];
  for (const call of scanCalls()) {
    if (/^[A-Z][A-Z0-9_]*$/.test(call.argument)) {
      if (!CONSTANTS[call.argument]) unexplained.push(`${call.file}: ${call.text} (add ${call.argument} to CONSTANTS)`);
      else needsOf(call).forEach((n) => needs.add(n));
      continue;
    }
    const dynamic = DYNAMIC_CALLS.find((d) => d.file === call.file && call.text.startsWith(d.code.slice(0, call.text.length)));
    const excluded = NOT_GRANTED.find((d) => d.file === call.file && call.text.startsWith(d.code.slice(0, call.text.length)));
    if (dynamic) dynamic.needs.forEach((n) => needs.add(n));
    else if (!excluded) unexplained.push(`${call.file}: ${call.text}`);
  }
  return { needs, unexplained };
}

const grants = (permissions: readonly Permission[]) => new Set(permissions.flatMap((p) => p.verbs.map((v) => need(p.group, p.resource, v))));

function renderedRbac(values: Record<string, unknown>) {
  const documents = renderStatic(chartTemplates(readChartInputs(ROOT))['rbac.yaml']!, values, STATIC_RELEASE) as Array<{
    kind: string;
    metadata: { name: string; namespace?: string };
    rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: never[] }>;
  }>;
  return documents;
}

test('every client call in the code is accounted for: a resource constant, a listed dynamic call, or a listed exclusion', () => {
  assert.deepEqual(codeNeeds().unexplained, []);
  const callers = SCANNED.flatMap(sourceFiles).filter((f) => f !== 'controller/runtime/informer.ts' && /getCachedOrFetch\(/.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(callers, [], 'getCachedOrFetch has callers now: list what they fetch in DYNAMIC_CALLS');
  for (const { file, code } of [...DYNAMIC_CALLS, ...NOT_GRANTED]) {
    assert.ok(readFileSync(join(ROOT, file), 'utf8').includes(code), `${file} no longer contains ${code}: update this list`);
  }
});

test('the ClusterRoles, cainjector and lease Role grant exactly what the code calls', () => {
  const { needs } = codeNeeds();
  const granted = grants([...CONTROLLER_PERMISSIONS, ...CAINJECTOR_PERMISSIONS, ...LEASE_PERMISSIONS]);
  assert.deepEqual([...needs].filter((n) => !granted.has(n)).sort(), [], 'called but not granted');
  assert.deepEqual([...granted].filter((n) => !needs.has(n)).sort(), [], 'granted but never called');
  for (const p of [...CONTROLLER_PERMISSIONS, ...CAINJECTOR_PERMISSIONS, ...LEASE_PERMISSIONS]) assert.ok(p.why.length > 5, `${p.resource}: say why`);
});

test('rendered RBAC: cluster-wide by default; the Lease Role is confined to the release namespace', () => {
  const documents = renderedRbac(defaultValues());
  assert.deepEqual(documents.map((d) => d.kind), ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
  const clusterRole = documents[0]!;
  for (const n of grants(CONTROLLER_PERMISSIONS)) {
    const [group, resource, verb] = n.split('|') as [string, string, string];
    assert.ok(allows(clusterRole.rules!, group, resource, verb), `${n} missing from the ClusterRole`);
  }
  assert.equal(allows(clusterRole.rules!, 'coordination.k8s.io', 'leases', 'update'), false, 'no cluster-wide Lease writes');
  assert.equal(allows(clusterRole.rules!, 'admissionregistration.k8s.io', 'validatingwebhookconfigurations', 'patch'), false, 'cainjector rights only when enabled');
  const leases = documents[2]!;
  assert.equal(leases.metadata.namespace, STATIC_RELEASE.namespace);
  assert.deepEqual(leases.rules, policyRules(LEASE_PERMISSIONS));
  // Nothing anywhere may read Secrets through a wildcard or escalate.
  const all = documents.flatMap((d) => d.rules ?? []);
  assert.ok(!all.some((r) => r.resources.includes('*') || r.apiGroups.includes('*') || (r.verbs as string[]).some((v) => ['*', 'escalate', 'bind', 'impersonate'].includes(v))));
});

test('rendered RBAC with watchNamespace: a Role in that namespace, no cluster-scoped permissions', () => {
  const values = defaultValues();
  values.watchNamespace = 'team-a';
  values.cainjector = { enabled: false };
  const documents = renderedRbac(values);
  assert.deepEqual(documents.map((d) => `${d.kind} ${d.metadata.namespace}`), ['Role team-a', 'RoleBinding team-a', 'Role certwright', 'RoleBinding certwright']);
  const role = documents[0]!;
  assert.equal(allows(role.rules!, 'cert-manager.io', 'clusterissuers', 'list'), false);
  assert.ok(allows(role.rules!, '', 'secrets', 'get'));
  assert.ok(allows(role.rules!, 'cert-manager.io', 'certificates/status', 'update'));
});

test('rendered RBAC with cainjector: its own ClusterRole with list/watch/patch on the injectable kinds only', () => {
  const values = defaultValues();
  values.cainjector = { enabled: true };
  const documents = renderedRbac(values);
  const role = documents.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'certwright-cainjector')!;
  assert.deepEqual(role.rules, policyRules(CAINJECTOR_PERMISSIONS));
  assert.ok(!parseAllDocuments(JSON.stringify(role)).some((d) => JSON.stringify(d.toJS()).includes('secrets')));
});
