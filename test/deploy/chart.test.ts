/**
 * The chart and deploy/certwright.yaml: generated files are current; the chart's template text,
 * rendered with values.yaml by an independent renderer of Helm's template subset, gives exactly
 * deploy/certwright.yaml (and matches the generator for other values too); the Deployment's args
 * are accepted by `certwright run`; the pod is locked down; the dashboard's queries are PromQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { parseRunFlags } from '../../cli/run.js';
import { dashboardQueries, DASHBOARD_UID } from '../../deploy/chart/dashboard.js';
import { chartTemplates } from '../../deploy/chart/manifests.js';
import { renderStatic } from '../../deploy/chart/template.js';
import { CHART_VERSION, defaultValues, VALUES } from '../../deploy/chart/values.js';
import { ALERT_RULE_FILES, deployFiles, readChartInputs, STATIC_RELEASE } from '../../deploy/gen.js';
import { promtoolSkip, runPromtool } from '../../controller/observability/promtool.js';
import { renderTemplate } from './helm-subset.js';

const ROOT = process.cwd();
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const documentsOf = (text: string) =>
  parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('; '));
      return d.toJS() as Record<string, unknown> | null;
    })
    .filter((d): d is Record<string, unknown> => d !== null);

const TEMPLATE_FILES = Object.keys(chartTemplates(readChartInputs(ROOT)));

/** The chart rendered the way `helm template` would, by the independent renderer. */
function helmTemplate(values: unknown) {
  const context = { Values: values, Release: { Name: STATIC_RELEASE.name, Namespace: STATIC_RELEASE.namespace } };
  return TEMPLATE_FILES.flatMap((file) => documentsOf(renderTemplate(read(`charts/certwright/templates/${file}`), context)));
}

function deploymentOf(documents: Array<Record<string, unknown>>) {
  const deployment = documents.find((d) => d.kind === 'Deployment') as {
    spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: Record<string, never> & { containers: Array<Record<string, never>> } } };
  };
  return { deployment, pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0]! as Record<string, any> };
}

test('generated chart files and deploy/certwright.yaml are current (npm run gen:deploy)', () => {
  const files = deployFiles(ROOT);
  for (const [path, text] of files) assert.ok(existsSync(join(ROOT, path)) && read(path) === text, `${path} is stale: run npm run gen:deploy`);
  const onDisk = readdirSync(join(ROOT, 'charts/certwright/templates')).map((f) => `charts/certwright/templates/${f}`);
  assert.deepEqual(onDisk.filter((f) => !files.has(f)), [], 'template files the generator does not write');
  assert.equal(CHART_VERSION, (JSON.parse(read('package.json')) as { version: string }).version);
});

test('values.yaml holds every documented value with its default', () => {
  assert.deepEqual(parse(read('charts/certwright/values.yaml')), defaultValues());
  for (const v of VALUES) assert.ok(read('charts/certwright/README.md').includes(`| \`${v.path}\` |`), `${v.path} missing from the README table`);
  // Every value the templates read is defined (and so documented).
  const used = new Set(TEMPLATE_FILES.flatMap((f) => [...read(`charts/certwright/templates/${f}`).matchAll(/\.Values\.([\w.]+)/g)].map((m) => m[1]!)));
  const documented = new Set(VALUES.map((v) => v.path));
  assert.deepEqual([...used].filter((p) => !documented.has(p)), []);
});

test('the chart rendered with its defaults is exactly deploy/certwright.yaml (plus the Namespace)', () => {
  const rendered = helmTemplate(parse(read('charts/certwright/values.yaml')));
  const [namespace, ...staticDocuments] = documentsOf(read('deploy/certwright.yaml'));
  assert.deepEqual(namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'certwright' } });
  assert.deepEqual(rendered, staticDocuments);
  assert.deepEqual(
    rendered.map((d) => d.kind).filter((k) => k !== 'CustomResourceDefinition'),
    ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'Service', 'PodDisruptionBudget'],
  );
});

function allOptionsValues(): Record<string, any> {
  const values = defaultValues() as Record<string, any>;
  values.watchNamespace = 'team-a';
  values.cainjector.enabled = true;
  values.http01.enabled = true;
  values.crds.enabled = false;
  values.serviceAccount = { create: false, name: 'existing-sa', annotations: {} };
  values.podLabels = { team: 'platform' };
  values.podAnnotations = { 'example.com/note': 'a: b' };
  values.extraArgs = ['--log-level=debug'];
  values.extraEnv = [{ name: 'CERTWRIGHT_KUBE_API_QPS', value: '50' }];
  values.monitoring = { serviceMonitor: { enabled: true }, podMonitor: { enabled: true }, interval: '30s', labels: { release: 'prom' }, prometheusRule: { enabled: true }, dashboard: { enabled: true, labels: { grafana_dashboard: '1' } } };
  values.priorityClassName = 'system-cluster-critical';
  values.featureGates = 'ACMEUseARI=true';
  return values;
}

test('with every option turned: template text and the generator agree, and the result is what was asked for', () => {
  const values = allOptionsValues();
  const rendered = helmTemplate(values);
  const generated = TEMPLATE_FILES.flatMap((file) => renderStatic(chartTemplates(readChartInputs(ROOT))[file]!, values, STATIC_RELEASE));
  assert.deepEqual(rendered, JSON.parse(JSON.stringify(generated)));
  const kinds = rendered.map((d) => `${d.kind}/${(d.metadata as { name: string }).name}`);
  assert.deepEqual(kinds, [
    'ClusterRole/certwright-cainjector',
    'ClusterRoleBinding/certwright-cainjector',
    'Role/certwright',
    'RoleBinding/certwright',
    'Role/certwright-leases',
    'RoleBinding/certwright-leases',
    'Deployment/certwright',
    'Service/certwright',
    'Service/certwright-http01',
    'PodDisruptionBudget/certwright',
    'ServiceMonitor/certwright',
    'PodMonitor/certwright',
    'PrometheusRule/certwright',
    'ConfigMap/certwright-dashboard',
  ]);
  const { deployment, pod, container } = deploymentOf(rendered);
  assert.equal(deployment.spec.template.metadata.labels.team, 'platform');
  assert.equal(pod.serviceAccountName, 'existing-sa');
  assert.equal(container.args.at(-1), '--log-level=debug');
  assert.ok(container.args.includes('--namespace=team-a'));
  assert.ok(container.args.includes('--acme-http01-solver-address=0.0.0.0:8089'));
  const rule = rendered.find((d) => d.kind === 'PrometheusRule') as { spec: unknown; metadata: { labels: Record<string, string> } };
  assert.equal(rule.metadata.labels.release, 'prom');
  const groups = ALERT_RULE_FILES.flatMap((file) => (parse(read(file)) as { groups: unknown[] }).groups);
  assert.deepEqual(rule.spec, { groups }, 'the PrometheusRule carries the tested alert rules, {{ $labels }} intact');
  const dashboard = rendered.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> };
  const json = JSON.parse(dashboard.data['certwright.json']!) as { uid: string; panels: Array<{ targets: Array<{ legendFormat?: string }> }> };
  assert.equal(json.uid, DASHBOARD_UID);
  assert.ok(json.panels.some((p) => p.targets.some((t) => t.legendFormat === '{{condition}}')), 'Grafana legend templates survive Helm');
});

test('the Deployment’s args are accepted by certwright run and mean what the values say', () => {
  const { container } = deploymentOf(documentsOf(read('deploy/certwright.yaml')));
  const [command, ...args] = container.args as string[];
  assert.equal(command, 'run');
  const flags = parseRunFlags(args, {});
  assert.deepEqual(flags.leaderElection, { enabled: true, namespace: 'certwright', shards: 2, leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 15_000 });
  assert.equal(flags.clusterResourceNamespace, 'certwright');
  assert.equal(flags.namespace, undefined, 'an empty --namespace watches every namespace');
  assert.equal(flags.enableGatewayApi, false);
  assert.equal(flags.metricsAddress, '0.0.0.0:9402');
  assert.equal(flags.acme.http01SolverAddress, '0.0.0.0:8089', 'an unprivileged port, not the default :80');
  const [, ...withEverything] = deploymentOf(helmTemplate(allOptionsValues())).container.args as string[];
  assert.equal(parseRunFlags(withEverything, {}).namespace, 'team-a');
});

test('the pod is locked down: non-root, read-only root, no capabilities, RuntimeDefault seccomp, probes, spread, PDB', () => {
  const documents = documentsOf(read('deploy/certwright.yaml'));
  const { deployment, pod, container } = deploymentOf(documents);
  assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
  assert.deepEqual(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  assert.equal(container.livenessProbe.httpGet.path, '/livez');
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.ok(container.resources.requests.memory && container.resources.limits.memory);
  assert.equal((pod.topologySpreadConstraints as unknown[]).length, 2);
  assert.equal(deployment.spec.replicas, 2);
  assert.ok(documents.some((d) => d.kind === 'PodDisruptionBudget'));
  const services = documents.filter((d) => d.kind === 'Service') as Array<{ spec: { ports: Array<{ name: string }> } }>;
  assert.deepEqual(services.map((s) => s.spec.ports[0]!.name), ['http-metrics']);
});

test('the dashboard’s queries are valid PromQL (promtool check rules)', { skip: promtoolSkip() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'certwright-dashboard-'));
  try {
    const rules = { groups: [{ name: 'dashboard', rules: dashboardQueries().map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] };
    writeFileSync(join(dir, 'rules.yaml'), stringify(rules));
    const result = await runPromtool(['check', 'rules', join(dir, 'rules.yaml')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
