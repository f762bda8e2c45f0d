import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateClusterIssuer, validateIssuer } from '../../api/validation/index.js';
import { issuerWarnings } from '../../api/validation/issuer.js';
import type { ACMEChallengeSolver, IssuerSpec } from '../../api/types.js';
import { acmeIssuerSpec, issuer, messages } from './builders.js';
import { caCertificatePem } from './csr.js';

const check = (spec: IssuerSpec) => messages(validateIssuer(issuer(spec)));
const solvers = (...list: ACMEChallengeSolver[]) => check(acmeIssuerSpec({ solvers: list }));
const ref = (name: string, key = 'key') => ({ name, key });

let caBundle: string;
before(async () => {
  caBundle = Buffer.from(await caCertificatePem()).toString('base64');
});

test('exactly one issuer type', () => {
  assert.deepEqual(check({}), ['spec: Required value: at least one issuer must be configured']);
  assert.deepEqual(check({ selfSigned: {} }), []);
  assert.deepEqual(check({ selfSigned: {}, ca: { secretName: 'x' } }), ['spec.selfSigned: Forbidden: may not specify more than one issuer type']);
  assert.deepEqual(messages(validateClusterIssuer(issuer({ ca: { secretName: 'ca' }, vault: { server: 'x', path: 'y', auth: {} } }, 'ClusterIssuer'))), [
    'spec.vault: Forbidden: may not specify more than one issuer type',
  ]);
});

test('ACME: server and account key Secret are required; caBundle excludes skipTLSVerify and must hold a certificate', () => {
  assert.deepEqual(check(acmeIssuerSpec()), []);
  assert.deepEqual(check({ acme: { server: '', privateKeySecretRef: { name: '' } } }), [
    'spec.acme.privateKeySecretRef.name: Required value: private key secret name is a required field',
    'spec.acme.server: Required value: acme server URL is a required field',
  ]);
  assert.deepEqual(check({ acme: {} as NonNullable<IssuerSpec['acme']> }), [
    'spec.acme.privateKeySecretRef: Required value',
    'spec.acme.privateKeySecretRef.name: Required value: private key secret name is a required field',
    'spec.acme.server: Required value: acme server URL is a required field',
  ]);
  assert.deepEqual(check(acmeIssuerSpec({ caBundle, skipTLSVerify: true })), [
    'spec.acme.caBundle: Invalid value: "": caBundle and skipTLSVerify are mutually exclusive and cannot both be set',
    'spec.acme.skipTLSVerify: Invalid value: true: caBundle and skipTLSVerify are mutually exclusive and cannot both be set',
  ]);
  assert.deepEqual(check(acmeIssuerSpec({ caBundle })), []);
  assert.deepEqual(check(acmeIssuerSpec({ caBundle: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64') })), [
    'spec.acme.caBundle: Invalid value: "": cert bundle didn\'t contain any valid certificates',
  ]);
  assert.deepEqual(check(acmeIssuerSpec({ server: 'letsencrypt' })), [
    'spec.acme.server: Invalid value: "letsencrypt": must be an http(s) URL of an ACME directory, e.g. https://acme-v02.api.letsencrypt.org/directory',
  ]);
  assert.deepEqual(check(acmeIssuerSpec({ preferredChain: 'x'.repeat(65) })), ['spec.acme.preferredChain: Too long: may not be more than 64 bytes']);
  assert.deepEqual(check(acmeIssuerSpec({ profile: 'shortlived', renewalInformationSource: 'None', enableDurationFeature: true, email: 'a@example.com' })), []);
  assert.deepEqual(check(acmeIssuerSpec({ renewalInformationSource: 'Sometimes' as 'ARI' })), [
    'spec.acme.renewalInformationSource: Unsupported value: "Sometimes": supported values: "ARI", "None"',
  ]);
});

test('ACME external account binding needs a key ID and a key Secret; keyAlgorithm only warns', () => {
  assert.deepEqual(check(acmeIssuerSpec({ externalAccountBinding: { keyID: 'kid', keySecretRef: ref('eab', 'secret') } })), []);
  assert.deepEqual(check(acmeIssuerSpec({ externalAccountBinding: { keyID: '', keySecretRef: { name: 'eab' } } })), [
    'spec.acme.externalAccountBinding.keyID: Required value: the keyID field is required when using externalAccountBinding',
    'spec.acme.externalAccountBinding.keySecretRef.key: Required value: secret key is required',
  ]);
  const deprecated = issuer(acmeIssuerSpec({ externalAccountBinding: { keyID: 'kid', keySecretRef: ref('eab'), keyAlgorithm: 'HS256' } }));
  assert.deepEqual(messages(validateIssuer(deprecated)), []);
  assert.deepEqual(issuerWarnings(deprecated), [
    "ACME issuer spec field 'externalAccountBinding.keyAlgorithm' is deprecated. The value of this field will be ignored.",
  ]);
  assert.deepEqual(issuerWarnings(issuer(acmeIssuerSpec())), []);
});

test('ACME solvers: exactly one of http01 and dns01; waitInsteadOfSelfCheck not negative', () => {
  assert.deepEqual(solvers({ http01: { ingress: {} }, waitInsteadOfSelfCheck: '30s' }), []);
  assert.deepEqual(solvers({}), ['spec.acme.solvers[0]: Required value: no solver type configured']);
  assert.deepEqual(solvers({ http01: { ingress: {} }, dns01: { webhook: { solverName: 'x' } } }), [
    'spec.acme.solvers[0]: Forbidden: may not specify more than one solver type in a single solver',
  ]);
  assert.deepEqual(solvers({ http01: { ingress: {} }, waitInsteadOfSelfCheck: '-1s' }), [
    'spec.acme.solvers[0].waitInsteadOfSelfCheck: Invalid value: "-1s": waitInsteadOfSelfCheck must not be negative',
  ]);
  assert.deepEqual(solvers({ http01: { ingress: {} }, waitInsteadOfSelfCheck: 'soon' }), [
    'spec.acme.solvers[0].waitInsteadOfSelfCheck: Invalid value: "soon": time: invalid duration "soon"',
  ]);
  assert.deepEqual(solvers({ selector: { matchLabels: { team: 'a' }, dnsNames: ['*.example.com'], dnsZones: ['example.com'] }, http01: { ingress: {} } }), []);
});

test('HTTP-01: one of ingress or gatewayHTTPRoute; one of class, ingressClassName or name', () => {
  assert.deepEqual(solvers({ http01: {} }), ['spec.acme.solvers[0].http01: Required value: no HTTP01 solver type configured']);
  assert.deepEqual(solvers({ http01: { ingress: {}, gatewayHTTPRoute: {} } }), ['spec.acme.solvers[0].http01: Forbidden: only 1 HTTP01 solver type may be configured']);
  assert.deepEqual(solvers({ http01: { ingress: { class: 'nginx', name: 'web' } } }), [
    "spec.acme.solvers[0].http01.ingress: Forbidden: only one of 'ingressClassName', 'name' or 'class' should be specified",
  ]);
  assert.deepEqual(solvers({ http01: { ingress: { ingressClassName: 'azure/application-gateway' } } }), [
    `spec.acme.solvers[0].http01.ingress.ingressClassName: Invalid value: "azure/application-gateway": must be a valid IngressClass name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.deepEqual(solvers({ http01: { ingress: { class: 'azure/application-gateway' } } }), []);
  assert.deepEqual(solvers({ http01: { ingress: { serviceType: 'LoadBalancer' as 'NodePort' } } }), [
    'spec.acme.solvers[0].http01.ingress.serviceType: Unsupported value: "LoadBalancer": supported values: "ClusterIP", "NodePort"',
  ]);
  assert.deepEqual(
    solvers({
      http01: {
        ingress: {
          ingressClassName: 'nginx',
          serviceType: 'ClusterIP',
          podTemplate: {
            metadata: { labels: { app: 'solver' }, annotations: { 'sidecar.istio.io/inject': 'false' } },
            spec: {
              nodeSelector: { 'kubernetes.io/os': 'linux' },
              tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'acme', effect: 'NoSchedule' }],
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
                  },
                },
              },
              priorityClassName: 'high',
              serviceAccountName: 'solver',
              imagePullSecrets: [{ name: 'regcred' }],
              securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
              resources: { limits: { cpu: '100m', memory: '64Mi' }, requests: { cpu: 10 } },
            },
          },
          ingressTemplate: { metadata: { annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8' } } },
        },
      },
    }),
    [],
  );
  assert.deepEqual(solvers({ http01: { ingress: { podTemplate: { metadata: { labels: { 'bad label': 'x' } } } } } }).length, 1);
  assert.deepEqual(solvers({ http01: { ingress: { podTemplate: { spec: { resources: { limits: { cpu: true as unknown as string } } } } } } }), [
    'spec.acme.solvers[0].http01.ingress.podTemplate.spec.resources.limits.cpu: Invalid value: "boolean": spec.acme.solvers[0].http01.ingress.podTemplate.spec.resources.limits.cpu in body must be of type integer or string: "boolean"',
  ]);
});

test('HTTP-01 Gateway API: a parentRef names both kind and name, or neither', () => {
  assert.deepEqual(solvers({ http01: { gatewayHTTPRoute: { parentRefs: [{ kind: 'Gateway', name: 'gw', namespace: 'infra', sectionName: 'http', port: 80 }], labels: { a: 'b' } } } }), []);
  assert.deepEqual(solvers({ http01: { gatewayHTTPRoute: {} } }), []);
  assert.deepEqual(solvers({ http01: { gatewayHTTPRoute: { parentRefs: [{ kind: 'Gateway' }, { name: 'gw' }] } } }), [
    'spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0].name: Required value: name is required when kind is specified',
    'spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[1].kind: Required value: kind is required when name is specified',
  ]);
});

test('DNS-01: exactly one provider, stricter than cert-manager for acmeDNS', () => {
  const p = 'spec.acme.solvers[0].dns01';
  assert.deepEqual(solvers({ dns01: {} }), [`${p}: Required value: no DNS01 provider configured`]);
  assert.deepEqual(solvers({ dns01: { route53: { region: 'eu-west-1' }, acmeDNS: { host: 'https://auth.example', accountSecretRef: ref('acme-dns') } } }), [
    `${p}.acmeDNS: Forbidden: may not specify more than one provider type`,
  ]);
  assert.deepEqual(solvers({ dns01: { cloudflare: { apiTokenSecretRef: ref('cf') }, digitalocean: { tokenSecretRef: ref('do') } } }), [
    `${p}.digitalocean: Forbidden: may not specify more than one provider type`,
  ]);
  assert.deepEqual(solvers({ dns01: { cnameStrategy: 'Sideways' as 'Follow', webhook: { solverName: 's', groupName: 'acme.example.com' } } }), [
    `${p}.cnameStrategy: Unsupported value: "Sideways": supported values: "None", "Follow"`,
  ]);
  assert.deepEqual(solvers({ dns01: { nameservers: ['8.8.8.8:53', '[2001:db8::1]:53', 'https://dns.google/dns-query', 'ns1.example.com', 'ftp://x', '1.2.3.4:99999'], webhook: { solverName: 's' } } }), [
    `${p}.nameservers[4]: Invalid value: "ftp://x": must be host:port or an https:// DNS-over-HTTPS URL`,
    `${p}.nameservers[5]: Invalid value: "1.2.3.4:99999": must be host:port or an https:// DNS-over-HTTPS URL`,
  ]);
});

test('DNS-01 providers: required fields and credential combinations', () => {
  const p = 'spec.acme.solvers[0].dns01';
  assert.deepEqual(solvers({ dns01: { akamai: { serviceConsumerDomain: '', accessTokenSecretRef: ref('a'), clientSecretSecretRef: { name: 'b' }, clientTokenSecretRef: ref('c') } } }), [
    `${p}.akamai.clientSecretSecretRef.key: Required value: secret key is required`,
    `${p}.akamai.serviceConsumerDomain: Required value`,
  ]);
  assert.deepEqual(solvers({ dns01: { cloudDNS: { project: '', serviceAccountSecretRef: ref('sa') } } }), [`${p}.cloudDNS.project: Required value`]);
  assert.deepEqual(solvers({ dns01: { cloudDNS: { project: 'p', hostedZoneName: 'z' } } }), []);
  assert.deepEqual(solvers({ dns01: { cloudflare: {} } }), [`${p}.cloudflare: Required value: apiKeySecretRef or apiTokenSecretRef is required`]);
  assert.deepEqual(solvers({ dns01: { cloudflare: { apiKeySecretRef: ref('k'), apiTokenSecretRef: ref('t') } } }), [
    `${p}.cloudflare: Forbidden: apiKeySecretRef and apiTokenSecretRef cannot both be specified`,
    `${p}.cloudflare.email: Required value`,
  ]);
  assert.deepEqual(solvers({ dns01: { cloudflare: { email: 'a@example.com', apiKeySecretRef: ref('k') } } }), []);
  assert.deepEqual(solvers({ dns01: { route53: { accessKeyID: 'AKIA', accessKeyIDSecretRef: ref('id'), secretAccessKeySecretRef: ref('s') } } }), [
    `${p}.route53: Forbidden: accessKeyID and accessKeyIDSecretRef cannot both be specified`,
  ]);
  assert.deepEqual(solvers({ dns01: { route53: { accessKeyID: 'AKIA' } } }), [
    `${p}.route53.secretAccessKeySecretRef: Required value: required when accessKeyID or accessKeyIDSecretRef is set`,
  ]);
  assert.deepEqual(
    solvers({ dns01: { route53: { region: 'us-east-1', role: 'arn:aws:iam::1:role/dns', hostedZoneID: 'Z1', auth: { kubernetes: { serviceAccountRef: { name: 'cm', audiences: ['sts.amazonaws.com'] } } } } } }),
    [],
  );
  assert.deepEqual(solvers({ dns01: { azureDNS: { subscriptionID: 's', resourceGroupName: 'rg', clientID: 'c' } } }), [
    `${p}.azureDNS.clientSecretSecretRef: Required value`,
    `${p}.azureDNS.tenantID: Required value`,
  ]);
  assert.deepEqual(solvers({ dns01: { azureDNS: { subscriptionID: 's', resourceGroupName: 'rg', managedIdentity: { clientID: 'c', resourceID: 'r', tenantID: 't' } } } }), [
    `${p}.azureDNS.managedIdentity: Forbidden: managedIdentityClientID and managedIdentityResourceID cannot both be specified`,
    `${p}.azureDNS.managedIdentity: Forbidden: managedIdentityTenantID and managedIdentityResourceID cannot both be specified`,
  ]);
  assert.deepEqual(solvers({ dns01: { azureDNS: { subscriptionID: 's', resourceGroupName: 'rg', managedIdentity: { tenantID: 't' } } } }), [
    `${p}.azureDNS.managedIdentity: Required value: managedIdentityClientID is required when using managedIdentityTenantID`,
  ]);
  assert.deepEqual(
    solvers({ dns01: { azureDNS: { subscriptionID: '', resourceGroupName: '', clientID: 'c', clientSecretSecretRef: ref('s'), tenantID: 't', managedIdentity: {} } } }),
    [
      `${p}.azureDNS.managedIdentity: Forbidden: managed identity cannot be used at the same time as clientID, clientSecretSecretRef or tenantID`,
      `${p}.azureDNS.subscriptionID: Required value`,
      `${p}.azureDNS.resourceGroupName: Required value`,
    ],
  );
  assert.deepEqual(solvers({ dns01: { azureDNS: { subscriptionID: 's', resourceGroupName: 'rg', environment: 'AzureChinaCloud', zoneType: 'AzurePrivateZone' } } }), []);
  assert.deepEqual(solvers({ dns01: { digitalocean: { tokenSecretRef: { name: 'do' } } } }), [`${p}.digitalocean.tokenSecretRef.key: Required value: secret key is required`]);
  assert.deepEqual(solvers({ dns01: { acmeDNS: { host: '', accountSecretRef: ref('a') } } }), [`${p}.acmeDNS.host: Required value`]);
  assert.deepEqual(solvers({ dns01: { webhook: { groupName: 'acme.example.com', solverName: '', config: { apiKey: { nested: [1, 2] } } } } }), [
    `${p}.webhook.solverName: Required value: solver name must be specified`,
  ]);
});

test('DNS-01 RFC 2136: nameserver syntax, TSIG algorithm and key/secret pairing', () => {
  const p = 'spec.acme.solvers[0].dns01.rfc2136';
  const tsig = { tsigKeyName: 'key.', tsigSecretSecretRef: ref('tsig', 'secret') };
  for (const nameserver of ['127.0.0.1', '127.0.0.1:8053', '[::1]:53', '::1', 'ns1.example.com:53']) {
    assert.deepEqual(solvers({ dns01: { rfc2136: { nameserver, ...tsig, tsigAlgorithm: 'hmacsha256', protocol: 'TCP' } } }), [], nameserver);
  }
  assert.deepEqual(solvers({ dns01: { rfc2136: { nameserver: '[::1', ...tsig } } }), [
    `${p}.nameserver: Invalid value: "[::1": nameserver must be set in the form host:port where host is an IPv4 address, an enclosed IPv6 address or a hostname and port is an optional port number.`,
  ]);
  assert.deepEqual(solvers({ dns01: { rfc2136: { nameserver: '', ...tsig } } }), [`${p}.nameserver: Required value`]);
  assert.deepEqual(solvers({ dns01: { rfc2136: { nameserver: '10.0.0.1', ...tsig, tsigAlgorithm: 'HMACSHA384' } } }), [
    `${p}.tsigAlgorithm: Unsupported value: "HMACSHA384": supported values: "HMACMD5", "HMACSHA1", "HMACSHA256", "HMACSHA512"`,
  ]);
  assert.deepEqual(solvers({ dns01: { rfc2136: { nameserver: '10.0.0.1', tsigKeyName: 'key.' } } }), [
    `${p}.tsigSecretSecretRef.name: Required value: secret name is required`,
    `${p}.tsigSecretSecretRef.key: Required value: secret key is required`,
  ]);
  assert.deepEqual(solvers({ dns01: { rfc2136: { nameserver: '10.0.0.1', tsigSecretSecretRef: ref('tsig') } } }), [`${p}.tsigKeyName: Required value`]);
  assert.deepEqual(solvers({ dns01: { rfc2136: { nameserver: '10.0.0.1' } } }), []);
});

test('CA issuer: secretName, non-empty OCSP and issuing certificate URLs', () => {
  assert.deepEqual(check({ ca: { secretName: 'ca', crlDistributionPoints: ['http://crl.example/ca.crl'], ocspServers: ['http://ocsp.example'], issuingCertificateURLs: ['http://ca.example/ca.crt'] } }), []);
  assert.deepEqual(check({ ca: { secretName: '', ocspServers: [''], issuingCertificateURLs: [''] } }), [
    'spec.ca.secretName: Required value',
    'spec.ca.ocspServers[0]: Invalid value: "": must be a valid URL, e.g., http://ocsp.int-x3.letsencrypt.org',
    'spec.ca.issuingCertificateURLs[0]: Invalid value: "": must be a valid URL',
  ]);
});

test('Vault issuer: server, path without .., CA bundle source, mTLS pair, exactly one auth method', () => {
  const base = { server: 'https://vault.example:8200', path: 'pki/sign/example', auth: { tokenSecretRef: { name: 'vault-token' } } };
  assert.deepEqual(check({ vault: base }), []);
  assert.deepEqual(check({ vault: { ...base, server: '', path: 'pki/../sys/sign' } }), [
    'spec.vault.server: Required value',
    'spec.vault.path: Invalid value: "pki/../sys/sign": must not contain \'..\' path segments',
  ]);
  assert.deepEqual(check({ vault: { ...base, caBundle, caBundleSecretRef: { name: 'ca' } } }), [
    'spec.vault.caBundle: Invalid value: "<snip>": specified caBundle and caBundleSecretRef cannot be used together',
    'spec.vault.caBundleSecretRef: Invalid value: "ca": specified caBundleSecretRef and caBundle cannot be used together',
  ]);
  assert.deepEqual(check({ vault: { ...base, clientCertSecretRef: ref('c') } }), [
    'spec.vault.clientKeySecretRef: Invalid value: "<snip>": clientKeySecretRef must be provided when defining the clientCertSecretRef',
  ]);
  assert.deepEqual(check({ vault: { ...base, auth: {} } }), [
    'spec.vault.auth: Required value: please supply one of: appRole, kubernetes, tokenSecretRef, clientCertificate, aws',
  ]);
  assert.deepEqual(check({ vault: { ...base, auth: { tokenSecretRef: { name: 't' }, appRole: { path: 'approle', roleId: 'r', secretRef: ref('s') } } } }), [
    'spec.vault.auth: Forbidden: please supply only one of: appRole, kubernetes, tokenSecretRef, clientCertificate, aws',
  ]);
  assert.deepEqual(check({ vault: { ...base, auth: { appRole: { path: '../x', roleId: '', secretRef: { name: '' } } } } }), [
    'spec.vault.auth.appRole.roleId: Required value',
    'spec.vault.auth.appRole.secretRef.name: Required value',
    'spec.vault.auth.appRole.path: Invalid value: "../x": must not contain \'..\' path segments',
  ]);
  assert.deepEqual(check({ vault: { ...base, auth: { kubernetes: { role: 'r' } } } }), [
    'spec.vault.auth.kubernetes: Required value: please supply one of: secretRef, serviceAccountRef',
  ]);
  assert.deepEqual(check({ vault: { ...base, auth: { kubernetes: { role: 'r', secretRef: ref('sa-token'), serviceAccountRef: { name: 'cm' } } } } }), [
    'spec.vault.auth.kubernetes: Forbidden: please supply one of: secretRef, serviceAccountRef',
  ]);
  assert.deepEqual(check({ vault: { ...base, auth: { kubernetes: { role: 'r', mountPath: '/v1/auth/k8s', serviceAccountRef: { name: 'cm', audiences: ['vault'] } } } } }), []);
  assert.deepEqual(check({ vault: { ...base, auth: { aws: { role: 'r', serviceAccountRef: { name: 'cm' } } } } }), [
    'spec.vault.auth.aws.iamRoleArn: Required value: iamRoleArn is required when using serviceAccountRef for IRSA',
  ]);
  assert.deepEqual(check({ vault: { ...base, auth: { aws: { role: 'r', region: 'us-east-1', vaultHeaderValue: 'vault.example' } } } }), []);
  assert.deepEqual(check({ vault: { ...base, auth: { clientCertificate: { mountPath: '/v1/auth/cert', secretName: 'client-tls', name: 'role' } } } }), []);
});

test('Venafi issuer: zone and exactly one of tpp, cloud, ngts', () => {
  assert.deepEqual(check({ venafi: { zone: 'z', cloud: { apiTokenSecretRef: ref('t') } } }), []);
  assert.deepEqual(check({ venafi: { zone: '' } }), ['spec.venafi.zone: Required value', 'spec.venafi: Required value: please supply one of: tpp, cloud, ngts']);
  assert.deepEqual(check({ venafi: { zone: 'z', cloud: { apiTokenSecretRef: ref('t') }, ngts: { tsgID: '1', credentialsRef: { name: 'c' } } } }), [
    'spec.venafi: Forbidden: please supply one of: tpp, cloud, ngts',
  ]);
  assert.deepEqual(check({ venafi: { zone: 'z', tpp: { url: '', credentialsRef: { name: 'c' }, caBundle, caBundleSecretRef: { name: 'ca' } } } }), [
    'spec.venafi.tpp.url: Required value',
    'spec.venafi.tpp: Forbidden: may not specify more than one of caBundle/caBundleSecretRef as TPP CA Bundle',
  ]);
  assert.deepEqual(check({ venafi: { zone: 'z', ngts: { tsgID: '', credentialsRef: { name: '' }, url: 'https://api.example', tokenEndpoint: 'https://auth.example' } } }), [
    'spec.venafi.ngts.tsgID: Required value',
    'spec.venafi.ngts.credentialsRef.name: Required value',
  ]);
});
