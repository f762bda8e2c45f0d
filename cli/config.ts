/**
 * Where `certwright run`'s settings come from besides its flags: a config file in cert-manager's
 * ControllerConfiguration format (`--config`, so an existing cert-manager config keeps working)
 * and `CERTWRIGHT_<FLAG>` environment variables. Both are turned into flag values, so one parser
 * validates everything; flags win over the environment, which wins over the file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Parsed flag values by flag name, as node's parseArgs returns them. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export type FlagType = 'string' | 'boolean';

export const CONFIG_API_VERSION = 'controller.config.cert-manager.io/v1alpha1';
export const CONFIG_KIND = 'ControllerConfiguration';

type FieldKind = 'string' | 'boolean' | 'number' | 'duration' | 'list' | 'gates';

/** A ControllerConfiguration field and the flag it sets. */
interface ConfigField {
  path: string;
  flag: string;
  kind: FieldKind;
}

const field = (path: string, flag: string, kind: FieldKind = 'string'): ConfigField => ({ path, flag, kind });

/** cert-manager's ControllerConfiguration fields (reference §8) that certwright reads. */
const CONFIG_FIELDS: readonly ConfigField[] = [
  field('kubeConfig', 'kubeconfig'),
  field('kubernetesAPIQPS', 'kube-api-qps', 'number'),
  field('kubernetesAPIBurst', 'kube-api-burst', 'number'),
  field('namespace', 'namespace'),
  field('clusterResourceNamespace', 'cluster-resource-namespace'),
  field('leaderElectionConfig.enabled', 'leader-elect', 'boolean'),
  field('leaderElectionConfig.namespace', 'leader-election-namespace'),
  field('leaderElectionConfig.leaseDuration', 'leader-election-lease-duration', 'duration'),
  field('leaderElectionConfig.renewDeadline', 'leader-election-renew-deadline', 'duration'),
  field('leaderElectionConfig.retryPeriod', 'leader-election-retry-period', 'duration'),
  // certwright's own: shards split between replicas.
  field('leaderElectionConfig.shards', 'leader-election-shards', 'number'),
  field('controllers', 'controllers', 'list'),
  field('numberOfConcurrentWorkers', 'workers', 'number'),
  field('maxConcurrentChallenges', 'max-concurrent-challenges', 'number'),
  field('issuerAmbientCredentials', 'issuer-ambient-credentials', 'boolean'),
  field('clusterIssuerAmbientCredentials', 'cluster-issuer-ambient-credentials', 'boolean'),
  field('enableCertificateOwnerRef', 'enable-certificate-owner-ref', 'boolean'),
  field('enableGatewayAPI', 'enable-gateway-api', 'boolean'),
  field('copiedAnnotationPrefixes', 'copied-annotation-prefixes', 'list'),
  field('metricsListenAddress', 'metrics-address'),
  field('healthzListenAddress', 'health-address'),
  field('featureGates', 'feature-gates', 'gates'),
  field('ingressShimConfig.defaultIssuerName', 'default-issuer-name'),
  field('ingressShimConfig.defaultIssuerKind', 'default-issuer-kind'),
  field('ingressShimConfig.defaultIssuerGroup', 'default-issuer-group'),
  field('acmeHTTP01Config.solverNameservers', 'acme-http01-solver-nameservers', 'list'),
  field('acmeHTTP01Config.solverImage', 'acme-http01-solver-image'),
  field('acmeHTTP01Config.solverResourceRequestCPU', 'acme-http01-solver-resource-request-cpu'),
  field('acmeHTTP01Config.solverResourceRequestMemory', 'acme-http01-solver-resource-request-memory'),
  field('acmeHTTP01Config.solverResourceLimitsCPU', 'acme-http01-solver-resource-limits-cpu'),
  field('acmeHTTP01Config.solverResourceLimitsMemory', 'acme-http01-solver-resource-limits-memory'),
  field('acmeHTTP01Config.solverRunAsNonRoot', 'acme-http01-solver-run-as-non-root', 'boolean'),
  field('acmeDNS01Config.recursiveNameservers', 'dns01-recursive-nameservers', 'list'),
  field('acmeDNS01Config.recursiveNameserversOnly', 'dns01-recursive-nameservers-only', 'boolean'),
  field('acmeDNS01Config.checkRetryPeriod', 'dns01-check-retry-period', 'duration'),
  field('certificateRequestMinimumBackoffDuration', 'certificate-request-minimum-backoff-duration', 'duration'),
  field('certificateRequestMaximumBackoffDuration', 'certificate-request-maximum-backoff-duration', 'duration'),
];

/**
 * ControllerConfiguration fields certwright has no use for (TLS for metrics, profiling, solver pod
 * runtime class and extra labels, klog settings): accepted so a cert-manager config loads, and reported as ignored.
 */
const IGNORED_CONFIG_PATHS: readonly string[] = [
  'apiServerHost',
  'enablePprof',
  'pprofAddress',
  'logging',
  'metricsTLSConfig',
  'leaderElectionConfig.healthzTimeout',
  'ingressShimConfig.extraAnnotations',
  'acmeHTTP01Config.solverRuntimeClassName',
  'acmeHTTP01Config.solverExtraLabels',
];

export class ConfigError extends Error {}

export interface ConfigFlags {
  values: FlagValues;
  /** Fields read but not acted on: cert-manager settings certwright has no use for, or flags this build lacks. */
  ignored: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every leaf of a config document as `a.b.c` → value (objects only; lists are leaves). */
function leaves(doc: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(doc).flatMap(([key, value]): Array<[string, unknown]> => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (path === 'featureGates' || !isObject(value) || IGNORED_CONFIG_PATHS.includes(path)) return [[path, value]];
    return leaves(value, path);
  });
}

function flagText(path: string, kind: FieldKind, value: unknown): string | boolean {
  const wrong = (want: string) => new ConfigError(`config field ${path}: want ${want}, got ${JSON.stringify(value)}`);
  switch (kind) {
    case 'string':
    case 'duration':
      if (typeof value !== 'string') throw wrong(kind === 'duration' ? 'a Go duration string such as "40s"' : 'a string');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('true or false');
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong('a number');
      return String(value);
    case 'list':
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw wrong('a list of strings');
      return value.join(',');
    case 'gates':
      if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'boolean')) throw wrong('a map of feature gate names to true or false');
      return Object.entries(value)
        .map(([gate, on]) => `${gate}=${on}`)
        .join(',');
  }
}

/**
 * The flag values a ControllerConfiguration document sets. `knownFlags` are the flags this build's
 * `certwright run` has; fields for other flags are reported as ignored instead of failing.
 */
export function configFlagValues(doc: unknown, knownFlags: Pick<ReadonlySet<string>, 'has'>): ConfigFlags {
  if (!isObject(doc)) throw new ConfigError('config file: want a ControllerConfiguration object');
  const { apiVersion, kind, ...rest } = doc;
  if (apiVersion !== CONFIG_API_VERSION || kind !== CONFIG_KIND) {
    throw new ConfigError(`config file: want apiVersion ${CONFIG_API_VERSION} and kind ${CONFIG_KIND}, got ${JSON.stringify(apiVersion)} / ${JSON.stringify(kind)}`);
  }
  const values: FlagValues = {};
  const ignored: string[] = [];
  const unknown: string[] = [];
  for (const [path, value] of leaves(rest)) {
    const mapping = CONFIG_FIELDS.find((f) => f.path === path);
    if (!mapping) {
      if (IGNORED_CONFIG_PATHS.some((p) => path === p || path.startsWith(`${p}.`))) ignored.push(path);
      else unknown.push(path);
      continue;
    }
    if (!knownFlags.has(mapping.flag)) {
      ignored.push(path);
      continue;
    }
    values[mapping.flag] = flagText(path, mapping.kind, value);
  }
  if (unknown.length > 0) throw new ConfigError(`config file: unknown field(s) ${unknown.join(', ')}`);
  return { values, ignored };
}

export function readConfigFile(path: string, knownFlags: Pick<ReadonlySet<string>, 'has'>): ConfigFlags {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`);
  }
  let doc: unknown;
  try {
    // Required here, not imported at the top: flags are parsed synchronously, and `certwright run`
    // without --config should not keep the YAML parser (~3 MiB) resident.
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path}: not YAML or JSON: ${(err as Error).message}`);
  }
  try {
    return configFlagValues(doc, knownFlags);
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as Error).message}`);
  }
}

export const ENV_PREFIX = 'CERTWRIGHT_';

/** `--leader-elect` ← `CERTWRIGHT_LEADER_ELECT`. */
export function envVariableOf(flag: string): string {
  return ENV_PREFIX + flag.toUpperCase().replace(/-/g, '_');
}

/** The flag values `CERTWRIGHT_<FLAG>` variables set, for the single-valued flags in `flags`. */
export function envFlagValues(env: NodeJS.ProcessEnv, flags: ReadonlyMap<string, FlagType>): FlagValues {
  const values: FlagValues = {};
  for (const [flag, type] of flags) {
    const name = envVariableOf(flag);
    const text = env[name];
    if (text === undefined) continue;
    if (type === 'string') {
      values[flag] = text;
      continue;
    }
    if (text !== 'true' && text !== 'false') throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(text)}`);
    values[flag] = text === 'true';
  }
  return values;
}

/** Flags over environment over file; each layer's aliases are first renamed to the canonical flag. */
export function layerFlagValues(aliases: Readonly<Record<string, string>>, ...layers: FlagValues[]): FlagValues {
  const merged: FlagValues = {};
  for (const layer of layers) {
    for (const [flag, value] of Object.entries(layer)) {
      if (value !== undefined) merged[aliases[flag] ?? flag] = value;
    }
  }
  return merged;
}

/**
 * cert-manager's feature gates (reference §7). certwright's behaviour is fixed for most of them
 * (always server-side apply, always filtered Secret caching, ...): they are accepted so a
 * cert-manager configuration loads, and only these change what certwright does.
 */
export const KNOWN_FEATURE_GATES: Readonly<Record<string, boolean>> = {
  ExperimentalCertificateSigningRequestControllers: false,
  ExperimentalGatewayAPISupport: true,
  ListenerSets: false,
  AdditionalCertificateOutputFormats: true,
  ServerSideApply: false,
  LiteralCertificateSubject: true,
  StableCertificateRequestName: true,
  UseCertificateRequestBasicConstraints: false,
  SecretsFilteredCaching: true,
  DisallowInsecureCSRUsageDefinition: true,
  NameConstraints: true,
  OtherNames: true,
  UseDomainQualifiedFinalizer: true,
  ValidateCAA: false,
  DefaultPrivateKeyRotationPolicyAlways: true,
  ACMEHTTP01IngressPathTypeExact: true,
  ACMEUseARI: false,
};

/** `--feature-gates A=true,B=false` over the defaults; unknown gates and non-boolean values are errors. */
export function parseFeatureGates(text: string): Record<string, boolean> {
  const gates = { ...KNOWN_FEATURE_GATES };
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9]+)=(true|false)$/i.exec(item);
    if (!m) throw new ConfigError(`--feature-gates: want Name=true|false, got ${JSON.stringify(item)}`);
    if (!(m[1]! in KNOWN_FEATURE_GATES)) throw new ConfigError(`--feature-gates: unknown feature gate ${m[1]}; known: ${Object.keys(KNOWN_FEATURE_GATES).join(', ')}`);
    gates[m[1]!] = m[2]!.toLowerCase() === 'true';
  }
  return gates;
}
