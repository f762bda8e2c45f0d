import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { configFlagValues, envVariableOf, parseFeatureGates } from '../../cli/config.js';
import { leaderElectionFor, parseRunFlags } from '../../cli/run.js';
import { tempDataDir } from '../controller/certificates/reconciler-harness.js';

const header = { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration' };
const known = new Set(['namespace', 'leader-elect', 'leader-election-lease-duration', 'workers', 'controllers', 'feature-gates', 'kube-api-qps']);

test('a ControllerConfiguration becomes flag values; cert-manager-only fields are reported, unknown ones fail', () => {
  const { values, ignored } = configFlagValues(
    {
      ...header,
      namespace: 'team-a',
      numberOfConcurrentWorkers: 3,
      kubernetesAPIQPS: 12.5,
      controllers: ['*', '-ingress-shim'],
      leaderElectionConfig: { enabled: true, leaseDuration: '30s', healthzTimeout: '20s' },
      featureGates: { ExperimentalGatewayAPISupport: false },
      acmeDNS01Config: { recursiveNameservers: ['1.1.1.1:53'] },
      logging: { format: 'json', verbosity: 2 },
    },
    known,
  );
  assert.deepEqual(values, {
    namespace: 'team-a',
    workers: '3',
    'kube-api-qps': '12.5',
    controllers: '*,-ingress-shim',
    'leader-elect': true,
    'leader-election-lease-duration': '30s',
    'feature-gates': 'ExperimentalGatewayAPISupport=false',
  });
  // healthzTimeout and logging: cert-manager settings with no meaning here; the DNS-01 one: a flag this set lacks.
  assert.deepEqual(ignored.sort(), ['acmeDNS01Config.recursiveNameservers', 'leaderElectionConfig.healthzTimeout', 'logging']);
  const solverPod = configFlagValues(
    { ...header, acmeHTTP01Config: { solverImage: 'example.test/certwright:1', solverResourceLimitsMemory: '64Mi', solverRunAsNonRoot: false, solverRuntimeClassName: 'gvisor' } },
    new Set(['acme-http01-solver-image', 'acme-http01-solver-resource-limits-memory', 'acme-http01-solver-run-as-non-root']),
  );
  assert.deepEqual(solverPod.values, { 'acme-http01-solver-image': 'example.test/certwright:1', 'acme-http01-solver-resource-limits-memory': '64Mi', 'acme-http01-solver-run-as-non-root': false });
  assert.deepEqual(solverPod.ignored, ['acmeHTTP01Config.solverRuntimeClassName']);
  assert.throws(() => configFlagValues({ ...header, namespce: 'x' }, known), /unknown field\(s\) namespce/);
  assert.throws(() => configFlagValues({ ...header, numberOfConcurrentWorkers: '3' }, known), /numberOfConcurrentWorkers: want a number, got "3"/);
  assert.throws(() => configFlagValues({ ...header, leaderElectionConfig: { enabled: 'yes' } }, known), /leaderElectionConfig.enabled: want true or false/);
  assert.throws(() => configFlagValues({ apiVersion: 'v1', kind: 'ConfigMap' }, known), /want apiVersion controller.config.cert-manager.io\/v1alpha1/);
  assert.throws(() => configFlagValues([], known), /want a ControllerConfiguration object/);
});

test('certwright run: flags win over CERTWRIGHT_* variables, which win over --config', () => {
  const dir = tempDataDir('certwright-config-');
  try {
    const file = join(dir.path, 'config.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: controller.config.cert-manager.io/v1alpha1',
        'kind: ControllerConfiguration',
        'namespace: from-file',
        'clusterResourceNamespace: certwright',
        'numberOfConcurrentWorkers: 4',
        'leaderElectionConfig:',
        '  enabled: true',
        '  namespace: certwright',
        '  leaseDuration: 20s',
        '  renewDeadline: 15s',
        '  retryPeriod: 5s',
        '  shards: 3',
        'ingressShimConfig:',
        '  defaultIssuerName: letsencrypt',
        '  defaultIssuerKind: ClusterIssuer',
        'metricsListenAddress: 0.0.0.0:9999',
        '',
      ].join('\n'),
    );
    const env = { CERTWRIGHT_NAMESPACE: 'from-env', CERTWRIGHT_WORKERS: '6', CERTWRIGHT_LEADER_ELECT: 'false' };
    const flags = parseRunFlags(['--config', file, '--concurrent-workers', '8', '--metrics-listen-address', '127.0.0.1:0'], env);
    assert.equal(flags.namespace, 'from-env');
    assert.equal(flags.workers, 8, 'a cert-manager alias on the command line beats the environment');
    assert.equal(flags.metricsAddress, '127.0.0.1:0');
    assert.equal(flags.clusterResourceNamespace, 'certwright');
    assert.deepEqual(flags.leaderElection, { enabled: false, namespace: 'certwright', shards: 3, leaseDurationMs: 20_000, renewDeadlineMs: 15_000, retryPeriodMs: 5_000 });
    assert.deepEqual(flags.defaultIssuer, { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' });
    // The config file can come from the environment too.
    assert.equal(parseRunFlags([], { CERTWRIGHT_CONFIG: file }).namespace, 'from-file');
  } finally {
    dir.remove();
  }
});

test('certwright run: bad settings from any layer are usage errors naming the setting', () => {
  assert.throws(() => parseRunFlags([], { CERTWRIGHT_LEADER_ELECT: 'yes' }), /CERTWRIGHT_LEADER_ELECT must be true or false, got "yes"/);
  assert.throws(() => parseRunFlags([], { CERTWRIGHT_WORKERS: '0' }), /--workers must be a positive integer, got "0"/);
  assert.throws(() => parseRunFlags(['--config', '/nonexistent/config.yaml'], {}), /config file \/nonexistent\/config.yaml: not found/);
  assert.throws(() => parseRunFlags(['--leader-election-shards', 'two'], {}), /--leader-election-shards must be a positive integer/);
  assert.throws(() => parseRunFlags(['--leader-election-renew-deadline', '90s'], {}), /lease duration \(60000 ms\) must be longer than the renew deadline/);
  assert.throws(() => parseRunFlags(['--feature-gates', 'ACMEUseARI=maybe'], {}), /want Name=true\|false/);
  assert.equal(envVariableOf('leader-election-lease-duration'), 'CERTWRIGHT_LEADER_ELECTION_LEASE_DURATION');
});

test('feature gates: cert-manager defaults, overridable; ExperimentalGatewayAPISupport=false keeps the gateway-shim off', () => {
  assert.equal(parseFeatureGates('').ExperimentalGatewayAPISupport, true);
  assert.equal(parseFeatureGates('ACMEUseARI=true').ACMEUseARI, true);
  assert.throws(() => parseFeatureGates('NoSuchGate=true'), /unknown feature gate NoSuchGate/);
  assert.equal(parseRunFlags(['--enable-gateway-api'], {}).enableGatewayApi, true);
  assert.equal(parseRunFlags(['--enable-gateway-api', '--feature-gates', 'ExperimentalGatewayAPISupport=false'], {}).enableGatewayApi, false);
});

test('leader election: on by default in a pod (in-cluster config), off with a kubeconfig; identities are unique', () => {
  const flags = parseRunFlags([], {});
  const inCluster = new KubeConfig();
  inCluster.loadFromClusterAndUser({ name: 'inCluster', server: 'https://10.0.0.1:443', skipTLSVerify: false }, { name: 'inClusterUser' });
  const fromFile = new KubeConfig();
  fromFile.loadFromClusterAndUser({ name: 'kind', server: 'https://127.0.0.1:6443', skipTLSVerify: false }, { name: 'admin' });
  const a = leaderElectionFor(flags, inCluster, { POD_NAME: 'certwright-7c9f' });
  const b = leaderElectionFor(flags, inCluster, { POD_NAME: 'certwright-7c9f' });
  assert.match(a!.identity, /^certwright-7c9f_[0-9a-f-]{36}$/);
  assert.notEqual(a!.identity, b!.identity);
  assert.equal(a!.namespace, 'kube-system');
  assert.equal(leaderElectionFor(flags, fromFile, {}), undefined);
  assert.equal(leaderElectionFor(flags, undefined, {}), undefined);
  assert.ok(leaderElectionFor(parseRunFlags(['--leader-elect'], {}), fromFile, {}));
  assert.equal(leaderElectionFor(parseRunFlags(['--leader-elect=false'], {}), inCluster, {}), undefined);
});
