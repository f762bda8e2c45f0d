import { randomInt } from 'node:crypto';
import { forbidden, invalid, required, tooLong, type FieldError } from '../api/field-errors.js';
import type { KubeObject } from './admission.js';
import { customResourceDefinitionFields, customResourceDefinitionStrategy } from './crd.js';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, type NameRule } from './metadata.js';
import { allVerbs, type ResourceType, type Strategy, type TableConvertor } from './resources.js';
import { asArray, asObject, isObject } from './json.js';
import { conditionsByType, objectMetaSchema, opaque, stringMap } from './schema/shapes.js';
import type { JsonSchema } from './schema/types.js';
import { builtinTable, column, defaultTable } from './tables.js';
import { ageOf } from './time.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);



/** The shape below a kind's top-level fields is only partly described: keep what is not. */
function keepUndescribed(schema: JsonSchema): JsonSchema {
  const open: JsonSchema = { ...schema };
  if (schema.type === undefined || schema.type === 'object') {
    if (!isObject(schema.additionalProperties)) open['x-kubernetes-preserve-unknown-fields'] = true;
    if (schema.properties) open.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, keepUndescribed(v)]));
  }
  if (schema.items) open.items = keepUndescribed(schema.items);
  return open;
}

/**
 * A built-in kind's schema: every top-level field listed (others are unknown and pruned, or
 * rejected with `fieldValidation=Strict`), with just the merge and apply details below them.
 */
function kindSchema(fields: Record<string, JsonSchema>): JsonSchema {
  const properties: Record<string, JsonSchema> = { metadata: objectMetaSchema };
  for (const [name, schema] of Object.entries(fields)) properties[name] = keepUndescribed(schema);
  return { type: 'object', properties };
}

const eventFields = (names: string[]): Record<string, JsonSchema> => Object.fromEntries(names.map((n) => [n, opaque]));

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  subresources?: string[];
  storage?: { group: string; plural: string };
  schema: JsonSchema;
  selectableFields?: string[];
  tracksGeneration?: boolean;
  table?: TableConvertor;
  strategy?: Strategy;
  nameRule?: NameRule;
}

function builtin(spec: BuiltinSpec): ResourceType {
  return {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? allVerbs,
    subresources: spec.subresources ?? [],
    storage: spec.storage ?? { group: spec.group, plural: spec.plural },
    servedVersions: 1,
    schema: spec.schema,
    selectableFields: spec.selectableFields ?? [],
    tracksGeneration: spec.tracksGeneration ?? false,
    table: spec.table ?? defaultTable,
    strategy: spec.strategy ?? {},
    nameRule: spec.nameRule ?? isDns1123Subdomain,
  };
}

// ---- Namespace ----

const namespaceStrategy: Strategy = {
  prepareForCreate(o) {
    o.spec = { finalizers: ['kubernetes'] };
    o.status = { phase: 'Active' };
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name! };
  },
  prepareForUpdate(o, old) {
    o.spec = old.spec;
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name! };
  },
  fieldValues: (o) => ({ 'status.phase': str(asObject(o.status).phase) }),
};

// ---- Secret ----

const configKey = /^[-._a-zA-Z0-9]+$/;
const configKeyMessage = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const maxSecretSize = 1024 * 1024;

/** Go's StdEncoding: canonical base64 passes the quick round trip; the pattern decides the rest (e.g. non-zero padding bits). */
const isBase64 = (value: string): boolean => Buffer.from(value, 'base64').toString('base64') === value || base64.test(value);

function validateDataMap(map: unknown, field: string, base64Values: boolean): FieldError[] {
  if (map === undefined || map === null) return [];
  if (typeof map !== 'object' || Array.isArray(map)) return [invalid(field, map, 'must be a map')];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(map as Obj)) {
    if (!configKey.test(key) || key === '.' || key === '..') errors.push(invalid(`${field}[${key}]`, key, configKeyMessage));
    if (typeof value !== 'string') errors.push(invalid(`${field}[${key}]`, value, 'must be a string'));
    else if (base64Values && !isBase64(value)) errors.push(invalid(`${field}[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
  return errors;
}

const tlsSecretKeys = ['tls.crt', 'tls.key'];

const secretStrategy: Strategy = {
  prepareForCreate(o) {
    foldStringData(o);
    if (!o.type) o.type = 'Opaque';
  },
  prepareForUpdate(o, old) {
    foldStringData(o);
    if (!o.type) o.type = old.type;
  },
  validate(o, old) {
    const errors = validateDataMap(o.data, 'data', true);
    const data = asObject(o.data);
    const size = Object.entries(data).reduce((n, [k, v]) => n + k.length + (typeof v === 'string' ? (v.length * 3) / 4 : 0), 0);
    if (size > maxSecretSize) errors.push(tooLong('data', maxSecretSize));
    if (o.type === 'kubernetes.io/tls') for (const key of tlsSecretKeys) if (!(key in data)) errors.push(required(`data[${key}]`, ''));
    if (old) {
      if (o.type !== old.type) errors.push(invalid('type', o.type, 'field is immutable'));
      if (old.immutable === true) {
        if (JSON.stringify(o.data ?? {}) !== JSON.stringify(old.data ?? {})) errors.push(forbidden('data', 'field is immutable when `immutable` is set'));
        if (o.immutable !== true) errors.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      }
    }
    return errors;
  },
  fieldValues: (o) => ({ type: str(o.type) }),
};

/** `stringData` is write-only: it is merged into `data` (base64) and never stored. */
function foldStringData(o: KubeObject): void {
  if (o.stringData === undefined) return;
  const data = { ...asObject(o.data) };
  for (const [k, v] of Object.entries(asObject(o.stringData))) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  o.data = data;
  delete o.stringData;
}

const secretTable = builtinTable([
  { column: column('Type', 'The type of the secret'), cell: (o) => str(o.type) ?? '' },
  { column: column('Data', 'The number of entries in the secret', 0, 'integer'), cell: (o) => Object.keys(asObject(o.data)).length },
]);

// ---- ConfigMap ----

const configMapStrategy: Strategy = {
  validate(o, old) {
    const errors = [...validateDataMap(o.data, 'data', false), ...validateDataMap(o.binaryData, 'binaryData', true)];
    for (const key of Object.keys(asObject(o.data))) if (key in asObject(o.binaryData)) errors.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    if (old?.immutable === true) {
      if (JSON.stringify([o.data, o.binaryData]) !== JSON.stringify([old.data, old.binaryData])) errors.push(forbidden('data', 'field is immutable when `immutable` is set'));
    }
    return errors;
  },
};

const configMapTable = builtinTable([
  { column: column('Data', 'The number of entries in the config map', 0, 'integer'), cell: (o) => Object.keys(asObject(o.data)).length + Object.keys(asObject(o.binaryData)).length },
]);

// ---- Event (core/v1 is the stored form; events.k8s.io/v1 converts) ----

const eventFieldValues = (o: KubeObject): Record<string, string | undefined> => {
  const involved = asObject(o.involvedObject);
  return {
    'involvedObject.kind': str(involved.kind),
    'involvedObject.namespace': str(involved.namespace),
    'involvedObject.name': str(involved.name),
    'involvedObject.uid': str(involved.uid),
    'involvedObject.apiVersion': str(involved.apiVersion),
    'involvedObject.resourceVersion': str(involved.resourceVersion),
    'involvedObject.fieldPath': str(involved.fieldPath),
    reason: str(o.reason),
    reportingComponent: str(o.reportingComponent),
    source: str(asObject(o.source).component),
    type: str(o.type),
  };
};

function eventTimestamp(o: KubeObject): unknown {
  const series = asObject(o.series);
  return series.lastObservedTime ?? o.lastTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp;
}

const eventTable: TableConvertor = {
  columns: [
    column('Last Seen', 'Time when last event was seen'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    column('Reason', 'Reason why the action was taken.'),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'The subobject that this event is about.', 1),
    column('Source', 'The component reporting this event.', 1),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'Time when first event was seen', 1),
    column('Count', 'The number of times this event has occurred.', 1, 'integer'),
    column('Name', 'The name of the event.', 1),
  ],
  cells(o, now) {
    const involved = asObject(o.involvedObject);
    const source = asObject(o.source);
    const series = asObject(o.series);
    const sourceText = str(source.component) ? [source.component, source.host].filter(Boolean).join(', ') : (str(o.reportingComponent) ?? '');
    const firstSeen = o.firstTimestamp ?? o.eventTime ?? o.metadata.creationTimestamp;
    return [
      ageOf(eventTimestamp(o), now),
      str(o.type) ?? '',
      str(o.reason) ?? '',
      `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`,
      str(involved.fieldPath) ?? '',
      sourceText,
      (str(o.message) ?? '').trim(),
      ageOf(firstSeen, now),
      typeof series.count === 'number' ? series.count : typeof o.count === 'number' ? o.count : 1,
      o.metadata.name,
    ];
  },
};

/** Field renames between core/v1 Event (left) and events.k8s.io/v1 Event (right). */
const eventRenames: [string, string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['source', 'deprecatedSource'],
  ['reportingComponent', 'reportingController'],
];

function renameEvent(o: KubeObject, apiVersion: string, direction: 0 | 1): KubeObject {
  const result: KubeObject = { ...o, apiVersion };
  for (const pair of eventRenames) {
    const from = pair[direction];
    const to = pair[1 - direction]!;
    if (from in result) {
      result[to] = result[from];
      delete result[from];
    }
  }
  return result;
}

const eventsV1Strategy: Strategy = {
  fromStorage: (o) => renameEvent(o, 'events.k8s.io/v1', 0),
  toStorage: (o) => renameEvent(o, 'v1', 1),
  fieldValues: (o) => eventFieldValues(renameEvent(o, 'v1', 1)),
};

// ---- Service ----

function allocateClusterIp(): string {
  return `10.96.${randomInt(0, 256)}.${randomInt(2, 255)}`;
}

/** Port defaults kube applies on every write: protocol TCP, targetPort = port. */
function defaultServicePorts(spec: Obj): void {
  if (spec.ports === undefined) return;
  spec.ports = asArray(spec.ports).map((p) => {
    const port = { ...asObject(p) };
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port;
    return port;
  });
}

const serviceStrategy: Strategy = {
  prepareForCreate(o) {
    const spec = asObject(o.spec);
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.type !== 'ExternalName') {
      spec.clusterIP ??= allocateClusterIp();
      spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
    }
    defaultServicePorts(spec);
    o.spec = spec;
    o.status = { loadBalancer: {} };
  },
  prepareForUpdate(o, old) {
    const spec = asObject(o.spec);
    const oldSpec = asObject(old.spec);
    if (spec.clusterIP === undefined) spec.clusterIP = oldSpec.clusterIP;
    if (spec.clusterIPs === undefined) spec.clusterIPs = oldSpec.clusterIPs;
    defaultServicePorts(spec);
    o.spec = spec;
  },
  validate(o, old) {
    const errors: FieldError[] = [];
    const spec = asObject(o.spec);
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
    if (spec.type !== undefined && !types.includes(String(spec.type))) errors.push({ type: 'FieldValueNotSupported', field: 'spec.type', badValue: spec.type, detail: `supported values: ${types.map((t) => `"${t}"`).join(', ')}` });
    asArray(spec.ports).forEach((p, i) => {
      const port = asObject(p).port;
      if (typeof port !== 'number' || port < 1 || port > 65535) errors.push(invalid(`spec.ports[${i}].port`, port ?? 0, 'must be between 1 and 65535, inclusive'));
    });
    if (old && asObject(old.spec).clusterIP && spec.clusterIP !== asObject(old.spec).clusterIP) errors.push(invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set'));
    return errors;
  },
};

const serviceTable = builtinTable(
  [
    { column: column('Type', 'The type of the service'), cell: (o) => str(asObject(o.spec).type) ?? 'ClusterIP' },
    { column: column('Cluster-IP', 'The cluster IP of the service'), cell: (o) => str(asObject(o.spec).clusterIP) ?? '<none>' },
    {
      column: column('External-IP', 'The external IP of the service'),
      cell: (o) => {
        const ingress = asArray(asObject(asObject(o.status).loadBalancer).ingress).map((i) => str(asObject(i).ip) ?? str(asObject(i).hostname)).filter(Boolean);
        const external = [...asArray(asObject(o.spec).externalIPs).map(String), ...(ingress as string[])];
        return external.length ? external.join(',') : '<none>';
      },
    },
    {
      column: column('Port(s)', 'The ports of the service'),
      cell: (o) => {
        const ports = asArray(asObject(o.spec).ports).map((p) => `${asObject(p).port}/${asObject(p).protocol ?? 'TCP'}`);
        return ports.length ? ports.join(',') : '<none>';
      },
    },
  ],
  [
    {
      column: column('Selector', 'The selector of the service', 1),
      cell: (o) => {
        const selector = Object.entries(asObject(asObject(o.spec).selector)).map(([k, v]) => `${k}=${v}`);
        return selector.length ? selector.join(',') : '<none>';
      },
    },
  ],
);

// ---- Ingress / IngressClass ----

const ingressTable = builtinTable([
  { column: column('Class', 'The name of the IngressClass resource'), cell: (o) => str(asObject(o.spec).ingressClassName) ?? '<none>' },
  {
    column: column('Hosts', 'The hosts of the ingress'),
    cell: (o) => {
      const hosts = asArray(asObject(o.spec).rules).map((r) => str(asObject(r).host) ?? '*');
      return hosts.length ? hosts.join(',') : '*';
    },
  },
  {
    column: column('Address', 'The address of the ingress'),
    cell: (o) => asArray(asObject(asObject(o.status).loadBalancer).ingress).map((i) => str(asObject(i).ip) ?? str(asObject(i).hostname) ?? '').join(','),
  },
  { column: column('Ports', 'The ports of the ingress'), cell: (o) => (asArray(asObject(o.spec).tls).length ? '80, 443' : '80') },
]);

const ingressClassTable = builtinTable([
  { column: column('Controller', 'Controller that is responsible for handling this class'), cell: (o) => str(asObject(o.spec).controller) ?? '' },
  {
    column: column('Parameters', 'A reference to a resource with additional parameters'),
    cell: (o) => {
      const p = asObject(asObject(o.spec).parameters);
      return p.name ? [p.apiGroup, p.kind, p.name].filter(Boolean).join('/') : '<none>';
    },
  },
]);

// ---- Lease / ServiceAccount ----

const leaseTable = builtinTable([{ column: column('Holder', 'The holder of the lease'), cell: (o) => str(asObject(o.spec).holderIdentity) ?? '' }]);

const serviceAccountTable = builtinTable([{ column: column('Secrets', 'The number of secrets', 0, 'integer'), cell: (o) => asArray(o.secrets).length }]);

const namespaceTable = builtinTable([{ column: column('Status', 'The status of the namespace'), cell: (o) => str(asObject(o.status).phase) ?? '' }]);

// ---- Validating/MutatingWebhookConfiguration, APIService (CA injection targets) ----

const webhookConfigurationKinds = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'];

/** `webhooks` is a map list keyed by name, so server-side apply can own one webhook's caBundle. */
const webhooksSchema: JsonSchema = {
  type: 'array',
  items: { type: 'object', properties: { name: { type: 'string' }, clientConfig: { type: 'object', properties: { caBundle: { type: 'string' } } } } },
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['name'],
  'x-kubernetes-patch-strategy': 'merge',
  'x-kubernetes-patch-merge-key': 'name',
};

const webhookConfigurationTable = builtinTable([{ column: column('Webhooks', 'The number of webhooks', 0, 'integer'), cell: (o) => asArray(o.webhooks).length }]);

const apiServiceTable = builtinTable([
  {
    column: column('Service', 'The reference to the service that hosts this API endpoint.'),
    cell: (o) => {
      const service = asObject(asObject(o.spec).service);
      return service.name ? `${str(service.namespace) ?? ''}/${str(service.name)}` : 'Local';
    },
  },
  {
    column: column('Available', 'Whether this service is available.'),
    cell: (o) => str(asArray(asObject(o.status).conditions).map(asObject).find((c) => c.type === 'Available')?.status) ?? 'Unknown',
  },
]);

/** Every built-in kind the embedded server serves. */
export function builtinResourceTypes(): ResourceType[] {
  const coreEventSchema = kindSchema(
    eventFields(['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance']),
  );
  const eventsV1Schema = kindSchema(
    eventFields(['eventTime', 'series', 'reportingController', 'reportingInstance', 'action', 'reason', 'regarding', 'related', 'note', 'type', 'deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount']),
  );
  return [
    builtin({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: ['status'],
      schema: kindSchema({ spec: opaque, status: { type: 'object', properties: { conditions: conditionsByType } } }),
      table: namespaceTable,
      strategy: namespaceStrategy,
      nameRule: isDns1123Label,
      selectableFields: ['status.phase'],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Secret',
      plural: 'secrets',
      namespaced: true,
      schema: kindSchema({ data: stringMap, stringData: stringMap, type: { type: 'string' }, immutable: { type: 'boolean' } }),
      table: secretTable,
      strategy: secretStrategy,
      selectableFields: ['type'],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      shortNames: ['cm'],
      schema: kindSchema({ data: stringMap, binaryData: stringMap, immutable: { type: 'boolean' } }),
      table: configMapTable,
      strategy: configMapStrategy,
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      schema: coreEventSchema,
      table: eventTable,
      strategy: { fieldValues: eventFieldValues },
      selectableFields: Object.keys(eventFieldValues({ apiVersion: 'v1', kind: 'Event', metadata: {} })),
    }),
    builtin({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      storage: { group: '', plural: 'events' },
      schema: eventsV1Schema,
      table: { columns: eventTable.columns, cells: (o, now) => eventTable.cells(renameEvent(o, 'v1', 1), now) },
      strategy: eventsV1Strategy,
      selectableFields: Object.keys(eventFieldValues({ apiVersion: 'v1', kind: 'Event', metadata: {} })),
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Service',
      plural: 'services',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      subresources: ['status'],
      schema: kindSchema({
        spec: {
          type: 'object',
          properties: {
            ports: {
              type: 'array',
              items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['port', 'protocol'],
              'x-kubernetes-patch-strategy': 'merge',
              'x-kubernetes-patch-merge-key': 'port',
            },
            selector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
          },
        },
        status: { type: 'object', properties: { conditions: conditionsByType } },
      }),
      table: serviceTable,
      strategy: serviceStrategy,
      nameRule: isDns1035Label,
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      namespaced: true,
      shortNames: ['sa'],
      subresources: ['token'],
      schema: kindSchema({
        secrets: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' } } },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-patch-merge-key': 'name',
        },
        imagePullSecrets: { type: 'array', items: { type: 'object' } },
        automountServiceAccountToken: { type: 'boolean' },
      }),
      table: serviceAccountTable,
    }),
    // Stored only, nothing runs them: what HTTP-01 in pod mode creates (one solver Pod per Challenge).
    builtin({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status'], schema: kindSchema({ spec: opaque, status: opaque }) }),
    builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, schema: kindSchema({ spec: opaque }), table: leaseTable }),
    builtin({
      group: 'networking.k8s.io',
      version: 'v1',
      kind: 'Ingress',
      plural: 'ingresses',
      namespaced: true,
      shortNames: ['ing'],
      subresources: ['status'],
      tracksGeneration: true,
      schema: kindSchema({ spec: opaque, status: opaque }),
      table: ingressTable,
    }),
    builtin({
      group: 'networking.k8s.io',
      version: 'v1',
      kind: 'IngressClass',
      plural: 'ingressclasses',
      namespaced: false,
      tracksGeneration: true,
      schema: kindSchema({ spec: opaque }),
      table: ingressClassTable,
    }),
    ...webhookConfigurationKinds.map((kind) =>
      builtin({
        group: 'admissionregistration.k8s.io',
        version: 'v1',
        kind,
        plural: `${kind.toLowerCase()}s`,
        namespaced: false,
        categories: ['api-extensions'],
        tracksGeneration: true,
        schema: kindSchema({ webhooks: webhooksSchema }),
        table: webhookConfigurationTable,
      }),
    ),
    builtin({
      group: 'apiregistration.k8s.io',
      version: 'v1',
      kind: 'APIService',
      plural: 'apiservices',
      namespaced: false,
      categories: ['api-extensions'],
      subresources: ['status'],
      tracksGeneration: true,
      schema: kindSchema({ spec: opaque, status: { type: 'object', properties: { conditions: conditionsByType } } }),
      table: apiServiceTable,
      nameRule: isDns1123Subdomain,
    }),
    builtin({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      subresources: ['status'],
      tracksGeneration: true,
      schema: kindSchema(customResourceDefinitionFields),
      strategy: customResourceDefinitionStrategy,
    }),
  ];
}
