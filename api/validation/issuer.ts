/**
 * Issuer and ClusterIssuer rules (reference §1.8, `internal/apis/certmanager/validation/issuer.go`):
 * exactly one issuer type, then that type's own rules. Create and update run the same checks.
 */
import { forbidden, invalid, required, type FieldError } from '../field-errors.js';
import { ISSUER_TYPES, VAULT_AUTH_METHODS } from '../schema/issuer.js';
import type { CAIssuer, IssuerSpec, VaultAuth, VaultIssuer, VenafiIssuer } from '../types.js';
import { acmeIssuerWarnings, validateACMEIssuer } from './acme-issuer.js';
import { caBundleProblem } from './ca-bundle.js';
import { isHttpURL } from './syntax.js';

function validateCAIssuer(ca: CAIssuer, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!ca.secretName) errors.push(required(`${path}.secretName`, ''));
  ca.ocspServers?.forEach((url, i) => {
    if (url === '') errors.push(invalid(`${path}.ocspServers[${i}]`, url, 'must be a valid URL, e.g., http://ocsp.int-x3.letsencrypt.org'));
  });
  ca.issuingCertificateURLs?.forEach((url, i) => {
    if (url === '') errors.push(invalid(`${path}.issuingCertificateURLs[${i}]`, url, 'must be a valid URL'));
  });
  return errors;
}

/** Literal `..` segments only: a cosmetically odd but working path must stay valid on update. */
function containsDotDotSegment(path: string | undefined): boolean {
  return (path ?? '').split('/').includes('..');
}

function dotDotError(value: string | undefined, field: string): FieldError[] {
  return containsDotDotSegment(value) ? [invalid(field, value, "must not contain '..' path segments")] : [];
}

function validateVaultAuth(auth: VaultAuth | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const a = auth ?? {};
  if (a.appRole) {
    if (!a.appRole.roleId) errors.push(required(`${path}.appRole.roleId`, ''));
    if (!a.appRole.secretRef?.name) errors.push(required(`${path}.appRole.secretRef.name`, ''));
    errors.push(...dotDotError(a.appRole.path, `${path}.appRole.path`));
  }
  if (a.clientCertificate) errors.push(...dotDotError(a.clientCertificate.mountPath, `${path}.clientCertificate.mountPath`));
  if (a.kubernetes) {
    const k = a.kubernetes;
    if (!k.role) errors.push(required(`${path}.kubernetes.role`, ''));
    errors.push(...dotDotError(k.mountPath, `${path}.kubernetes.mountPath`));
    if (k.serviceAccountRef && !k.serviceAccountRef.name) errors.push(required(`${path}.kubernetes.serviceAccountRef.name`, ''));
    const tokenSources = [Boolean(k.secretRef?.name), k.serviceAccountRef !== undefined].filter(Boolean).length;
    if (tokenSources === 0) errors.push(required(`${path}.kubernetes`, 'please supply one of: secretRef, serviceAccountRef'));
    if (tokenSources > 1) errors.push(forbidden(`${path}.kubernetes`, 'please supply one of: secretRef, serviceAccountRef'));
  }
  if (a.aws) {
    if (!a.aws.role) errors.push(required(`${path}.aws.role`, ''));
    errors.push(...dotDotError(a.aws.mountPath, `${path}.aws.mountPath`));
    if (a.aws.serviceAccountRef) {
      if (!a.aws.serviceAccountRef.name) errors.push(required(`${path}.aws.serviceAccountRef.name`, ''));
      if (!a.aws.iamRoleArn) errors.push(required(`${path}.aws.iamRoleArn`, 'iamRoleArn is required when using serviceAccountRef for IRSA'));
    }
  }
  const configured = VAULT_AUTH_METHODS.filter((m) => a[m] !== undefined).length;
  if (configured === 0) errors.push(required(path, 'please supply one of: appRole, kubernetes, tokenSecretRef, clientCertificate, aws'));
  // cert-manager admits several and then fails the issuer's setup; say so up front instead.
  if (configured > 1) errors.push(forbidden(path, 'please supply only one of: appRole, kubernetes, tokenSecretRef, clientCertificate, aws'));
  return errors;
}

function validateVaultIssuer(vault: VaultIssuer, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!vault.server) errors.push(required(`${path}.server`, ''));
  else if (!isHttpURL(vault.server)) errors.push(invalid(`${path}.server`, vault.server, 'must be an http(s) URL, e.g. https://vault.example.com:8200'));
  if (!vault.path) errors.push(required(`${path}.path`, ''));
  else errors.push(...dotDotError(vault.path, `${path}.path`));
  if (vault.caBundle) {
    const problem = caBundleProblem(vault.caBundle);
    if (problem) errors.push(invalid(`${path}.caBundle`, '<snip>', problem));
  }
  if (vault.caBundle && vault.caBundleSecretRef) {
    errors.push(invalid(`${path}.caBundle`, '<snip>', 'specified caBundle and caBundleSecretRef cannot be used together'));
    errors.push(invalid(`${path}.caBundleSecretRef`, vault.caBundleSecretRef.name, 'specified caBundleSecretRef and caBundle cannot be used together'));
  }
  if (vault.clientCertSecretRef && !vault.clientKeySecretRef) {
    errors.push(invalid(`${path}.clientKeySecretRef`, '<snip>', 'clientKeySecretRef must be provided when defining the clientCertSecretRef'));
  } else if (!vault.clientCertSecretRef && vault.clientKeySecretRef) {
    errors.push(invalid(`${path}.clientCertSecretRef`, '<snip>', 'clientCertSecretRef must be provided when defining the clientKeySecretRef'));
  }
  errors.push(...validateVaultAuth(vault.auth, `${path}.auth`));
  return errors;
}

function validateVenafiIssuer(venafi: VenafiIssuer, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!venafi.zone) errors.push(required(`${path}.zone`, ''));
  if (venafi.tpp) {
    if (!venafi.tpp.url) errors.push(required(`${path}.tpp.url`, ''));
    if (venafi.tpp.caBundle && venafi.tpp.caBundleSecretRef) {
      errors.push(forbidden(`${path}.tpp`, 'may not specify more than one of caBundle/caBundleSecretRef as TPP CA Bundle'));
    }
    if (venafi.tpp.caBundle) {
      const problem = caBundleProblem(venafi.tpp.caBundle);
      if (problem) errors.push(invalid(`${path}.tpp.caBundle`, '<snip>', problem));
    }
  }
  if (venafi.ngts) {
    if (!venafi.ngts.tsgID) errors.push(required(`${path}.ngts.tsgID`, ''));
    if (!venafi.ngts.credentialsRef?.name) errors.push(required(`${path}.ngts.credentialsRef.name`, ''));
  }
  const configured = [venafi.tpp, venafi.cloud, venafi.ngts].filter((x) => x !== undefined).length;
  if (configured === 0) errors.push(required(path, 'please supply one of: tpp, cloud, ngts'));
  if (configured > 1) errors.push(forbidden(path, 'please supply one of: tpp, cloud, ngts'));
  return errors;
}

const issuerTypeRules: { [K in (typeof ISSUER_TYPES)[number]]: (config: NonNullable<IssuerSpec[K]>, path: string) => FieldError[] } = {
  acme: validateACMEIssuer,
  ca: validateCAIssuer,
  selfSigned: () => [],
  vault: validateVaultIssuer,
  venafi: validateVenafiIssuer,
};

/** cert-manager's `ValidateIssuerConfig`: the first configured type is validated, others refused. */
export function issuerSpecErrors(spec: IssuerSpec, path = 'spec'): FieldError[] {
  const errors: FieldError[] = [];
  let configured = 0;
  for (const type of ISSUER_TYPES) {
    const config = spec[type];
    if (config === undefined) continue;
    if (configured > 0) {
      errors.push(forbidden(`${path}.${type}`, 'may not specify more than one issuer type'));
      continue;
    }
    configured++;
    const rule = issuerTypeRules[type] as (c: typeof config, path: string) => FieldError[];
    errors.push(...rule(config, `${path}.${type}`));
  }
  if (configured === 0) errors.push(required(path, 'at least one issuer must be configured'));
  return errors;
}

/** Semantic rules of an Issuer or ClusterIssuer write; updates run the same checks as creates. */
export function issuerRules(issuer: { spec?: IssuerSpec }): FieldError[] {
  return issuerSpecErrors(issuer.spec ?? {});
}

export function issuerWarnings(issuer: { spec?: IssuerSpec }): string[] {
  return acmeIssuerWarnings(issuer.spec?.acme);
}
