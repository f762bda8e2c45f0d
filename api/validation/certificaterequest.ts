/**
 * CertificateRequest rules (reference §1.7, `internal/apis/certmanager/validation/certificaterequest.go`
 * and the identity admission plugin): the CSR must parse, verify and agree with the spec; the spec,
 * cert-manager annotations, requester identity and approval decisions never change once written.
 */
import { isDeepStrictEqual } from 'node:util';
import { ACME_GROUP, CERT_MANAGER_GROUP, keyUsagesFor } from '../defaults.js';
import { forbidden, invalid, required, type FieldError } from '../field-errors.js';
import { usageNames } from '../../pki/index.js';
import type { CertificateRequest, CertificateRequestSpec, Condition } from '../types.js';
import { inspectCsr } from './csr.js';
import { parseDurationField, validateIssuerRef } from './references.js';

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/**
 * The CSR against the spec. When the CSR carries KeyUsage/ExtendedKeyUsage, they must equal the
 * usages the spec asks for (defaulted, plus `cert sign` for a CA) — except a CSR asking for just
 * the defaults, which cert-manager accepts since it never grants more than the spec. A
 * BasicConstraints extension must agree with `isCA`.
 */
function validateRequest(spec: CertificateRequestSpec, path: string): FieldError[] {
  if (!spec.request) return [required(`${path}.request`, 'must be specified')];
  let csr;
  try {
    csr = inspectCsr(Buffer.from(spec.request, 'base64').toString('utf8'));
  } catch (e) {
    return [invalid(`${path}.request`, '<snip>', `failed to decode csr: ${(e as Error).message}`)];
  }
  const errors: FieldError[] = [];
  if (csr.isCA !== undefined && csr.isCA !== Boolean(spec.isCA)) {
    errors.push(invalid(`${path}.isCA`, Boolean(spec.isCA), `must match the CA flag of the CSR's BasicConstraints extension (${csr.isCA})`));
  }
  if (csr.usages) {
    // Compared by cert-manager name: aliases fold together and EKUs cert-manager can't name drop out.
    const inCsr = usageNames(csr.usages);
    const wanted = usageNames(keyUsagesFor(spec));
    if (!sameSet(inCsr, wanted) && !sameSet(inCsr, usageNames(keyUsagesFor({})))) {
      errors.push(
        invalid(
          `${path}.request`,
          '<snip>',
          `csr key usages do not match specified usages, these should match if both are set: csr has [${inCsr.join(', ')}], spec requests [${wanted.join(', ')}]`,
        ),
      );
    }
  }
  return errors;
}

export function certificateRequestSpecErrors(spec: CertificateRequestSpec, path = 'spec'): FieldError[] {
  const errors = validateIssuerRef(spec.issuerRef, `${path}.issuerRef`);
  errors.push(...validateRequest(spec, path));
  parseDurationField(spec.duration, `${path}.duration`, errors);
  return errors;
}

const conditionsOf = (cr: CertificateRequest | undefined): Condition[] => cr?.status?.conditions ?? [];

/** `Approved` and `Denied` each at most once, only `True`, never both. */
export function approvalConditionErrors(conditions: readonly Condition[], path = 'status.conditions'): FieldError[] {
  const errors: FieldError[] = [];
  const found = { Approved: conditions.filter((c) => c.type === 'Approved'), Denied: conditions.filter((c) => c.type === 'Denied') };
  for (const type of ['Approved', 'Denied'] as const) {
    const list = found[type];
    if (list.length > 1) errors.push(forbidden(path, `multiple "${type}" conditions present`));
    else if (list.length === 1 && list[0]!.status !== 'True') {
      errors.push(invalid(`${path}.${type}`, list[0]!.status, `"${type}" condition may only be set to True`));
    }
  }
  if (found.Approved.length > 0 && found.Denied.length > 0) {
    errors.push(forbidden(path, "both 'Denied' and 'Approved' conditions cannot coexist"));
  }
  return errors;
}

/** Once set, the `Approved` and `Denied` conditions never change; then the create rules apply. */
export function approvalConditionUpdateErrors(
  oldConditions: readonly Condition[],
  conditions: readonly Condition[],
  path = 'status.conditions',
): FieldError[] {
  const errors: FieldError[] = [];
  for (const type of ['Approved', 'Denied'] as const) {
    const before = oldConditions.find((c) => c.type === type);
    if (before && !isDeepStrictEqual(before, conditions.find((c) => c.type === type))) {
      errors.push(forbidden(path, `'${type}' condition may not be modified once set`));
    }
  }
  return [...errors, ...approvalConditionErrors(conditions, path)];
}

const isCertManagerAnnotation = (key: string) => key.startsWith(CERT_MANAGER_GROUP) || key.startsWith(ACME_GROUP);

function annotationUpdateErrors(old: CertificateRequest, cr: CertificateRequest): FieldError[] {
  const before = old.metadata?.annotations ?? {};
  const after = cr.metadata?.annotations ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(isCertManagerAnnotation).sort();
  return keys
    .filter((k) => before[k] !== after[k])
    .map((k) => forbidden(`metadata.annotations[${k}]`, 'cannot change cert-manager annotation after creation'));
}

function identityUpdateErrors(old: CertificateRequestSpec, spec: CertificateRequestSpec, path = 'spec'): FieldError[] {
  const errors: FieldError[] = [];
  if ((old.uid ?? '') !== (spec.uid ?? '')) errors.push(forbidden(`${path}.uid`, 'uid identity cannot be changed once set'));
  if ((old.username ?? '') !== (spec.username ?? '')) errors.push(forbidden(`${path}.username`, 'username identity cannot be changed once set'));
  if (!sameSet(old.groups ?? [], spec.groups ?? [])) errors.push(forbidden(`${path}.groups`, 'groups identity cannot be changed once set'));
  if (!isDeepStrictEqual(old.extra ?? {}, spec.extra ?? {})) errors.push(forbidden(`${path}.extra`, 'extra identity cannot be changed once set'));
  return errors;
}

/** Semantic rules of a CertificateRequest write (create without `old`, update with it). */
export function certificateRequestRules(cr: CertificateRequest, old?: CertificateRequest): FieldError[] {
  const spec = cr.spec ?? ({} as CertificateRequestSpec);
  if (!old) return [...certificateRequestSpecErrors(spec), ...approvalConditionErrors(conditionsOf(cr))];
  const errors = [...annotationUpdateErrors(old, cr), ...approvalConditionUpdateErrors(conditionsOf(old), conditionsOf(cr))];
  if (!isDeepStrictEqual(old.spec, cr.spec)) errors.push(forbidden('spec', 'cannot change spec after creation'));
  errors.push(...identityUpdateErrors(old.spec ?? ({} as CertificateRequestSpec), spec));
  return errors;
}

/** Rules of a write to the `status` subresource: only the approval decisions are checked. */
export function certificateRequestStatusRules(cr: CertificateRequest, old?: CertificateRequest): FieldError[] {
  return old ? approvalConditionUpdateErrors(conditionsOf(old), conditionsOf(cr)) : approvalConditionErrors(conditionsOf(cr));
}

/** The identity a CertificateRequest must carry on create: that of the requesting user. */
export function identityCreateErrors(
  spec: CertificateRequestSpec,
  user: { username: string; uid: string; groups: string[]; extra?: Record<string, string[]> },
  path = 'spec',
): FieldError[] {
  const errors: FieldError[] = [];
  if ((spec.uid ?? '') !== user.uid) errors.push(forbidden(`${path}.uid`, 'uid identity must be that of the requester'));
  if ((spec.username ?? '') !== user.username) errors.push(forbidden(`${path}.username`, 'username identity must be that of the requester'));
  if (!sameSet(spec.groups ?? [], user.groups)) errors.push(forbidden(`${path}.groups`, 'groups identity must be that of the requester'));
  const extra = spec.extra ?? {};
  const wanted = user.extra ?? {};
  const extrasMatch =
    Object.keys(extra).length === Object.keys(wanted).length &&
    Object.entries(extra).every(([k, v]) => wanted[k] !== undefined && sameSet(v, wanted[k]!));
  if (!extrasMatch) errors.push(forbidden(`${path}.extra`, 'extra identity must be that of the requester'));
  return errors;
}
