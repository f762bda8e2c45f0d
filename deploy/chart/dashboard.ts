/**
 * The Grafana dashboard shipped in the chart: certificate expiry as a timeline and as a fraction of
 * lifetime left, Ready status, issuance rate and ACME errors, over certwright's certmanager_*
 * metrics (so it also works for cert-manager). `exported_namespace` is the Certificate's namespace
 * when the Prometheus Operator scrapes; `or` falls back to `namespace` otherwise.
 */
const datasource = { type: 'prometheus', uid: '${datasource}' };

interface Panel {
  title: string;
  type: 'timeseries' | 'table' | 'stat' | 'bargauge';
  description: string;
  targets: Array<{ expr: string; legendFormat?: string; instant?: boolean; format?: string }>;
  unit?: string;
  gridPos: { x: number; y: number; w: number; h: number };
}

const panels: Panel[] = [
  {
    title: 'Certificates by Ready status',
    type: 'stat',
    description: 'Certificates whose Ready condition is True, False or Unknown.',
    targets: [{ expr: 'count by (condition) (max by (namespace, exported_namespace, name, condition) (certmanager_certificate_ready_status == 1))', legendFormat: '{{condition}}' }],
    gridPos: { x: 0, y: 0, w: 8, h: 6 },
  },
  {
    title: 'Issuance rate',
    type: 'timeseries',
    description: 'New certificates per hour: changes of notBefore (a renewal or a first issuance).',
    targets: [{ expr: 'sum(changes(certmanager_certificate_not_before_timestamp_seconds[1h]))', legendFormat: 'issued per hour' }],
    unit: 'short',
    gridPos: { x: 8, y: 0, w: 8, h: 6 },
  },
  {
    title: 'ACME errors',
    type: 'timeseries',
    description: 'Requests to ACME servers answered with an error (status 999: transport error), by host and status.',
    targets: [{ expr: 'sum by (host, status) (rate(certmanager_http_acme_client_request_count{status!~"2.."}[5m]))', legendFormat: '{{host}} {{status}}' }],
    unit: 'reqps',
    gridPos: { x: 16, y: 0, w: 8, h: 6 },
  },
  {
    title: 'Time until expiry',
    type: 'timeseries',
    description: 'Each certificate’s remaining validity over time: a sawtooth that resets at every renewal.',
    targets: [
      {
        expr: 'min by (exported_namespace, namespace, name) (certmanager_certificate_expiration_timestamp_seconds > 0) - time()',
        legendFormat: '{{exported_namespace}}{{namespace}}/{{name}}',
      },
    ],
    unit: 's',
    gridPos: { x: 0, y: 6, w: 24, h: 9 },
  },
  {
    title: 'Lifetime left (soonest first)',
    type: 'bargauge',
    description: 'Share of each certificate’s lifetime still ahead; renewal normally happens at one third.',
    targets: [
      {
        expr: 'bottomk(20, min by (exported_namespace, namespace, name) ((certmanager_certificate_not_after_timestamp_seconds - time()) / (certmanager_certificate_not_after_timestamp_seconds - certmanager_certificate_not_before_timestamp_seconds > 0)))',
        legendFormat: '{{exported_namespace}}{{namespace}}/{{name}}',
        instant: true,
      },
    ],
    unit: 'percentunit',
    gridPos: { x: 0, y: 15, w: 12, h: 10 },
  },
  {
    title: 'Certificates not Ready',
    type: 'table',
    description: 'Certificates whose Ready condition is not True.',
    targets: [
      {
        expr: 'max by (exported_namespace, namespace, name, condition, issuer_name, issuer_kind) (certmanager_certificate_ready_status{condition!="True"} == 1)',
        instant: true,
        format: 'table',
      },
    ],
    gridPos: { x: 12, y: 15, w: 12, h: 10 },
  },
];

export const DASHBOARD_UID = 'certwright-overview';

export function grafanaDashboard(): object {
  return {
    uid: DASHBOARD_UID,
    title: 'certwright / cert-manager certificates',
    tags: ['certwright', 'cert-manager'],
    schemaVersion: 39,
    time: { from: 'now-7d', to: 'now' },
    refresh: '1m',
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }] },
    panels: panels.map((panel, id) => ({
      id: id + 1,
      title: panel.title,
      type: panel.type,
      description: panel.description,
      datasource,
      gridPos: panel.gridPos,
      fieldConfig: { defaults: { ...(panel.unit ? { unit: panel.unit } : {}) }, overrides: [] },
      targets: panel.targets.map((target, i) => ({ refId: String.fromCharCode(65 + i), datasource, ...target })),
    })),
  };
}

/** Every PromQL expression of the dashboard, for checking with promtool. */
export function dashboardQueries(): string[] {
  return panels.flatMap((p) => p.targets.map((t) => t.expr));
}
