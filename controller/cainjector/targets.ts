/**
 * The kinds a CA is injected into (reference §6.3) and where in each the caBundle lives:
 * every webhook of a Validating/MutatingWebhookConfiguration, an APIService's `spec.caBundle`,
 * and a CRD's conversion webhook (only with strategy `Webhook`).
 */
import type { KubeObject } from '../../apiserver/admission.js';
import { apiVersionOf, type ResourceType } from '../runtime/resources.js';
import { INJECTION_ANNOTATIONS } from './sources.js';

/** One place a caBundle (base64 PEM) goes, e.g. one webhook by name. */
export interface InjectionPoint {
  id: string;
  caBundle: string | undefined;
}

export interface InjectableKind {
  /** Lower-case kind: the prefix of work-queue keys. */
  name: string;
  resource: ResourceType;
  injectionPoints(obj: KubeObject): InjectionPoint[];
  /** The server-side apply configuration that sets these caBundles and nothing else. */
  applyConfiguration(obj: KubeObject, bundles: ReadonlyMap<string, string>): KubeObject;
  /** What the injector reads of an object and nothing more, so the cache stays small (CRDs carry whole schemas). */
  strip(obj: KubeObject): KubeObject;
}

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});
const caBundleOf = (clientConfig: unknown) => {
  const caBundle = asObj(clientConfig).caBundle;
  return typeof caBundle === 'string' && caBundle !== '' ? caBundle : undefined;
};

function strippedMetadata(obj: KubeObject): KubeObject['metadata'] {
  const { name, uid, resourceVersion, deletionTimestamp, annotations } = obj.metadata;
  const kept = Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => INJECTION_ANNOTATIONS.includes(key)));
  return { name, uid, resourceVersion, ...(deletionTimestamp ? { deletionTimestamp } : {}), annotations: kept };
}

const base = (type: ResourceType, obj: KubeObject): KubeObject => ({ apiVersion: apiVersionOf(type), kind: type.kind, metadata: { name: obj.metadata.name } });
const withBundle = (caBundle: string | undefined) => (caBundle ? { caBundle } : {});

function webhookConfiguration(kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration'): InjectableKind {
  const resource: ResourceType = { group: 'admissionregistration.k8s.io', version: 'v1', resource: `${kind.toLowerCase()}s`, kind, namespaced: false };
  const webhooks = (obj: KubeObject) => (Array.isArray(obj.webhooks) ? obj.webhooks.map(asObj) : []);
  const injectionPoints = (obj: KubeObject) => webhooks(obj).map((w) => ({ id: String(w.name), caBundle: caBundleOf(w.clientConfig) }));
  return {
    name: kind.toLowerCase(),
    resource,
    injectionPoints,
    applyConfiguration: (obj, bundles) => ({ ...base(resource, obj), webhooks: [...bundles].map(([name, caBundle]) => ({ name, clientConfig: { caBundle } })) }),
    strip: (obj) => ({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: strippedMetadata(obj),
      webhooks: injectionPoints(obj).map((p) => ({ name: p.id, clientConfig: withBundle(p.caBundle) })),
    }),
  };
}

const API_SERVICES: ResourceType = { group: 'apiregistration.k8s.io', version: 'v1', resource: 'apiservices', kind: 'APIService', namespaced: false };

const apiService: InjectableKind = {
  name: 'apiservice',
  resource: API_SERVICES,
  injectionPoints: (obj) => [{ id: 'spec', caBundle: caBundleOf(obj.spec) }],
  applyConfiguration: (obj, bundles) => ({ ...base(API_SERVICES, obj), spec: { caBundle: bundles.get('spec') } }),
  strip: (obj) => ({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: strippedMetadata(obj), spec: withBundle(caBundleOf(obj.spec)) }),
};

export const CUSTOM_RESOURCE_DEFINITIONS_TYPE: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};

const conversionOf = (obj: KubeObject) => asObj(asObj(obj.spec).conversion);
const conversionCaBundle = (obj: KubeObject) => caBundleOf(asObj(conversionOf(obj).webhook).clientConfig);

const customResourceDefinition: InjectableKind = {
  name: 'customresourcedefinition',
  resource: CUSTOM_RESOURCE_DEFINITIONS_TYPE,
  injectionPoints: (obj) => (conversionOf(obj).strategy === 'Webhook' ? [{ id: 'conversion', caBundle: conversionCaBundle(obj) }] : []),
  applyConfiguration: (obj, bundles) => ({
    ...base(CUSTOM_RESOURCE_DEFINITIONS_TYPE, obj),
    spec: { conversion: { webhook: { clientConfig: { caBundle: bundles.get('conversion') } } } },
  }),
  strip: (obj) => ({
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: strippedMetadata(obj),
    spec: { conversion: { strategy: conversionOf(obj).strategy, webhook: { clientConfig: withBundle(conversionCaBundle(obj)) } } },
  }),
};

/** Every injectable kind, each on by default like cert-manager's `--enable-*-injectable` flags. */
export const INJECTABLE_KINDS: readonly InjectableKind[] = [
  webhookConfiguration('ValidatingWebhookConfiguration'),
  webhookConfiguration('MutatingWebhookConfiguration'),
  apiService,
  customResourceDefinition,
];
