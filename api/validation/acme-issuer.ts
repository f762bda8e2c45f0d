/**
 * ACME issuer and challenge solver rules (reference §1.8.1, `ValidateACMEIssuerConfig` and
 * friends in `internal/apis/certmanager/validation/issuer.go`). Field paths use the JSON names.
 */
import { forbidden, invalid, notSupported, required, type FieldError } from '../field-errors.js';
import { DNS01_PROVIDERS } from '../schema/acme.js';
import type {
  ACMEChallengeSolver,
  ACMEChallengeSolverDNS01,
  ACMEChallengeSolverHTTP01,
  ACMEIssuer,
  HTTP01GatewayHTTPRoute,
  HTTP01Ingress,
  PodTemplate,
} from '../types.js';
import { caBundleProblem } from './ca-bundle.js';
import { parseDurationField, validateSecretKeySelector } from './references.js';
import { dns1123SubdomainProblems, isHostPort, isHttpURL, validateAnnotations, validateLabels } from './syntax.js';

/** Warning for the deprecated, ignored EAB `keyAlgorithm`. */
export const DEPRECATED_EAB_KEY_ALGORITHM_WARNING =
  "ACME issuer spec field 'externalAccountBinding.keyAlgorithm' is deprecated. The value of this field will be ignored.";

function validateMetadataOverride(metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined, path: string): FieldError[] {
  return [
    ...(metadata?.labels ? validateLabels(metadata.labels, `${path}.labels`) : []),
    ...(metadata?.annotations ? validateAnnotations(metadata.annotations, `${path}.annotations`) : []),
  ];
}

function validatePodTemplate(template: PodTemplate | undefined, path: string): FieldError[] {
  return validateMetadataOverride(template?.metadata, `${path}.metadata`);
}

function validateIngress(ingress: HTTP01Ingress, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const chosen = [ingress.class !== undefined, ingress.ingressClassName !== undefined, Boolean(ingress.name)].filter(Boolean);
  if (chosen.length > 1) errors.push(forbidden(path, "only one of 'ingressClassName', 'name' or 'class' should be specified"));
  if (ingress.ingressClassName !== undefined) {
    const problems = dns1123SubdomainProblems(ingress.ingressClassName);
    if (problems.length > 0) {
      errors.push(invalid(`${path}.ingressClassName`, ingress.ingressClassName, `must be a valid IngressClass name: ${problems.join(', ')}`));
    }
  }
  errors.push(...validatePodTemplate(ingress.podTemplate, `${path}.podTemplate`));
  errors.push(...validateMetadataOverride(ingress.ingressTemplate?.metadata, `${path}.ingressTemplate.metadata`));
  return errors;
}

function validateGatewayHTTPRoute(route: HTTP01GatewayHTTPRoute, path: string): FieldError[] {
  const errors: FieldError[] = [];
  // parentRefs may be empty: override annotations on the Certificate can supply them.
  route.parentRefs?.forEach((ref, i) => {
    if (ref.kind !== undefined && !ref.name) {
      errors.push(required(`${path}.parentRefs[${i}].name`, 'name is required when kind is specified'));
    }
    if (ref.name && ref.kind === undefined) {
      errors.push(required(`${path}.parentRefs[${i}].kind`, 'kind is required when name is specified'));
    }
  });
  if (route.labels) errors.push(...validateLabels(route.labels, `${path}.labels`));
  errors.push(...validatePodTemplate(route.podTemplate, `${path}.podTemplate`));
  return errors;
}

function validateHTTP01(http01: ACMEChallengeSolverHTTP01, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (http01.ingress) errors.push(...validateIngress(http01.ingress, `${path}.ingress`));
  if (http01.gatewayHTTPRoute) errors.push(...validateGatewayHTTPRoute(http01.gatewayHTTPRoute, `${path}.gatewayHTTPRoute`));
  const defined = [http01.ingress, http01.gatewayHTTPRoute].filter((x) => x !== undefined).length;
  if (defined === 0) errors.push(required(path, 'no HTTP01 solver type configured'));
  if (defined > 1) errors.push(forbidden(path, 'only 1 HTTP01 solver type may be configured'));
  return errors;
}

/** This list must match what the RFC 2136 solver implements. */
export const SUPPORTED_TSIG_ALGORITHMS = ['HMACMD5', 'HMACSHA1', 'HMACSHA256', 'HMACSHA512'];

const AZURE_ENVIRONMENTS = ['AzurePublicCloud', 'AzureChinaCloud', 'AzureGermanCloud', 'AzureUSGovernmentCloud'];

type ProviderRules = { [K in (typeof DNS01_PROVIDERS)[number]]: (p: NonNullable<ACMEChallengeSolverDNS01[K]>, path: string) => FieldError[] };

const providerRules: ProviderRules = {
  akamai: (p, path) => [
    ...validateSecretKeySelector(p.accessTokenSecretRef, `${path}.accessTokenSecretRef`),
    ...validateSecretKeySelector(p.clientSecretSecretRef, `${path}.clientSecretSecretRef`),
    ...validateSecretKeySelector(p.clientTokenSecretRef, `${path}.clientTokenSecretRef`),
    ...(p.serviceConsumerDomain ? [] : [required(`${path}.serviceConsumerDomain`, '')]),
  ],
  azureDNS: (p, path) => {
    const errors: FieldError[] = [];
    if (p.clientID || p.tenantID || p.clientSecretSecretRef) {
      // A service principal needs all three of its fields.
      if (!p.clientID) errors.push(required(`${path}.clientID`, ''));
      if (!p.clientSecretSecretRef) errors.push(required(`${path}.clientSecretSecretRef`, ''));
      else errors.push(...validateSecretKeySelector(p.clientSecretSecretRef, `${path}.clientSecretSecretRef`));
      if (!p.tenantID) errors.push(required(`${path}.tenantID`, ''));
      if (p.managedIdentity) {
        errors.push(
          forbidden(`${path}.managedIdentity`, 'managed identity cannot be used at the same time as clientID, clientSecretSecretRef or tenantID'),
        );
      }
    } else if (p.managedIdentity) {
      const mi = p.managedIdentity;
      if (mi.clientID && mi.resourceID) {
        errors.push(forbidden(`${path}.managedIdentity`, 'managedIdentityClientID and managedIdentityResourceID cannot both be specified'));
      }
      if (mi.tenantID && mi.resourceID) {
        errors.push(forbidden(`${path}.managedIdentity`, 'managedIdentityTenantID and managedIdentityResourceID cannot both be specified'));
      }
      if (mi.tenantID && !mi.clientID) {
        errors.push(required(`${path}.managedIdentity`, 'managedIdentityClientID is required when using managedIdentityTenantID'));
      }
    }
    if (!p.subscriptionID) errors.push(required(`${path}.subscriptionID`, ''));
    if (!p.resourceGroupName) errors.push(required(`${path}.resourceGroupName`, ''));
    if (p.environment && !AZURE_ENVIRONMENTS.includes(p.environment)) {
      errors.push(invalid(`${path}.environment`, p.environment, `must be either empty or one of ${AZURE_ENVIRONMENTS.slice(0, 3).join(', ')}, or ${AZURE_ENVIRONMENTS[3]}`));
    }
    return errors;
  },
  cloudDNS: (p, path) => [
    ...(p.serviceAccountSecretRef ? validateSecretKeySelector(p.serviceAccountSecretRef, `${path}.serviceAccountSecretRef`) : []),
    ...(p.project ? [] : [required(`${path}.project`, '')]),
  ],
  cloudflare: (p, path) => {
    const errors: FieldError[] = [];
    if (p.apiKeySecretRef) errors.push(...validateSecretKeySelector(p.apiKeySecretRef, `${path}.apiKeySecretRef`));
    if (p.apiTokenSecretRef) errors.push(...validateSecretKeySelector(p.apiTokenSecretRef, `${path}.apiTokenSecretRef`));
    if (p.apiKeySecretRef && p.apiTokenSecretRef) errors.push(forbidden(path, 'apiKeySecretRef and apiTokenSecretRef cannot both be specified'));
    if (!p.apiKeySecretRef && !p.apiTokenSecretRef) errors.push(required(path, 'apiKeySecretRef or apiTokenSecretRef is required'));
    if (!p.email && p.apiKeySecretRef) errors.push(required(`${path}.email`, ''));
    return errors;
  },
  route53: (p, path) => {
    // Neither access key field is fine: ambient credentials are used then.
    const errors: FieldError[] = [];
    if (p.accessKeyID && p.accessKeyIDSecretRef) {
      errors.push(forbidden(path, 'accessKeyID and accessKeyIDSecretRef cannot both be specified'));
    }
    if (p.accessKeyIDSecretRef) errors.push(...validateSecretKeySelector(p.accessKeyIDSecretRef, `${path}.accessKeyIDSecretRef`));
    const hasAccessKeyID = Boolean(p.accessKeyID || p.accessKeyIDSecretRef);
    if (hasAccessKeyID && !p.secretAccessKeySecretRef) {
      errors.push(required(`${path}.secretAccessKeySecretRef`, 'required when accessKeyID or accessKeyIDSecretRef is set'));
    }
    if (p.secretAccessKeySecretRef) {
      errors.push(...validateSecretKeySelector(p.secretAccessKeySecretRef, `${path}.secretAccessKeySecretRef`));
      if (!hasAccessKeyID) errors.push(required(`${path}.accessKeyID`, 'accessKeyID or accessKeyIDSecretRef is required with secretAccessKeySecretRef'));
    }
    return errors;
  },
  acmeDNS: (p, path) => [
    ...validateSecretKeySelector(p.accountSecretRef, `${path}.accountSecretRef`),
    ...(p.host ? [] : [required(`${path}.host`, '')]),
  ],
  digitalocean: (p, path) => validateSecretKeySelector(p.tokenSecretRef, `${path}.tokenSecretRef`),
  rfc2136: (p, path) => {
    const errors: FieldError[] = [];
    if (!p.nameserver) errors.push(required(`${path}.nameserver`, ''));
    else if (!isHostPort(p.nameserver)) {
      errors.push(
        invalid(
          `${path}.nameserver`,
          p.nameserver,
          'nameserver must be set in the form host:port where host is an IPv4 address, an enclosed IPv6 address or a hostname and port is an optional port number.',
        ),
      );
    }
    if (p.tsigAlgorithm && !SUPPORTED_TSIG_ALGORITHMS.includes(p.tsigAlgorithm.toUpperCase())) {
      errors.push(notSupported(`${path}.tsigAlgorithm`, p.tsigAlgorithm, SUPPORTED_TSIG_ALGORITHMS));
    }
    const secretErrors = validateSecretKeySelector(p.tsigSecretSecretRef, `${path}.tsigSecretSecretRef`);
    if (p.tsigKeyName) errors.push(...secretErrors);
    else if (secretErrors.length === 0) errors.push(required(`${path}.tsigKeyName`, ''));
    return errors;
  },
  webhook: (p, path) => (p.solverName ? [] : [required(`${path}.solverName`, 'solver name must be specified')]),
};

function validateDNS01(dns01: ACMEChallengeSolverDNS01, path: string): FieldError[] {
  const errors: FieldError[] = [];
  dns01.nameservers?.forEach((ns, i) => {
    const ok = ns.startsWith('https://') ? isHttpURL(ns) : isHostPort(ns);
    if (!ok) errors.push(invalid(`${path}.nameservers[${i}]`, ns, 'must be host:port or an https:// DNS-over-HTTPS URL'));
  });
  let configured = 0;
  for (const provider of DNS01_PROVIDERS) {
    const config = dns01[provider];
    if (config === undefined) continue;
    // Unlike cert-manager (whose acmeDNS branch skips this), every second provider is refused.
    if (configured > 0) {
      errors.push(forbidden(`${path}.${provider}`, 'may not specify more than one provider type'));
      continue;
    }
    configured++;
    const rule = providerRules[provider] as (p: typeof config, path: string) => FieldError[];
    errors.push(...rule(config, `${path}.${provider}`));
  }
  if (configured === 0) errors.push(required(path, 'no DNS01 provider configured'));
  return errors;
}

export function validateSolver(solver: ACMEChallengeSolver, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (solver.http01) errors.push(...validateHTTP01(solver.http01, `${path}.http01`));
  if (solver.dns01) {
    if (solver.http01) errors.push(forbidden(path, 'may not specify more than one solver type in a single solver'));
    else errors.push(...validateDNS01(solver.dns01, `${path}.dns01`));
  }
  if (!solver.http01 && !solver.dns01) errors.push(required(path, 'no solver type configured'));
  const wait = parseDurationField(solver.waitInsteadOfSelfCheck, `${path}.waitInsteadOfSelfCheck`, errors);
  if (wait !== undefined && wait < 0) {
    errors.push(invalid(`${path}.waitInsteadOfSelfCheck`, solver.waitInsteadOfSelfCheck, 'waitInsteadOfSelfCheck must not be negative'));
  }
  return errors;
}

export function validateACMEIssuer(acme: ACMEIssuer, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (acme.caBundle && acme.skipTLSVerify) {
    const message = 'caBundle and skipTLSVerify are mutually exclusive and cannot both be set';
    errors.push(invalid(`${path}.caBundle`, '', message));
    errors.push(invalid(`${path}.skipTLSVerify`, acme.skipTLSVerify, message));
  }
  if (acme.caBundle) {
    const problem = caBundleProblem(acme.caBundle);
    if (problem) errors.push(invalid(`${path}.caBundle`, '', problem));
  }
  if (!acme.privateKeySecretRef?.name) {
    errors.push(required(`${path}.privateKeySecretRef.name`, 'private key secret name is a required field'));
  }
  if (!acme.server) errors.push(required(`${path}.server`, 'acme server URL is a required field'));
  else if (!isHttpURL(acme.server)) {
    errors.push(invalid(`${path}.server`, acme.server, 'must be an http(s) URL of an ACME directory, e.g. https://acme-v02.api.letsencrypt.org/directory'));
  }
  const eab = acme.externalAccountBinding;
  if (eab) {
    if (!eab.keyID) errors.push(required(`${path}.externalAccountBinding.keyID`, 'the keyID field is required when using externalAccountBinding'));
    errors.push(...validateSecretKeySelector(eab.keySecretRef, `${path}.externalAccountBinding.keySecretRef`));
  }
  acme.solvers?.forEach((solver, i) => errors.push(...validateSolver(solver, `${path}.solvers[${i}]`)));
  return errors;
}

export function acmeIssuerWarnings(acme: ACMEIssuer | undefined): string[] {
  return acme?.externalAccountBinding?.keyAlgorithm ? [DEPRECATED_EAB_KEY_ALGORITHM_WARNING] : [];
}
