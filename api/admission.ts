/**
 * cert-manager's webhook as an in-process admission plugin (reference §6.2): the requester's
 * identity is stamped onto new CertificateRequests, every write of the six kinds is validated,
 * and deprecated fields draw warnings.
 */
import type { AdmissionPlugin, AdmissionRequest } from '../apiserver/admission.js';
import { CERT_MANAGER_GROUP } from './defaults.js';
import type { FieldError } from './field-errors.js';
import { resourceFor } from './resources.js';
import type { CertificateRequestSpec } from './types.js';
import { identityCreateErrors } from './validation/certificaterequest.js';

const isCertificateRequestCreate = (request: AdmissionRequest): boolean =>
  request.operation === 'CREATE' &&
  request.group === CERT_MANAGER_GROUP &&
  request.kind === 'CertificateRequest' &&
  request.subresource === undefined;

const specOf = (request: AdmissionRequest): Record<string, unknown> | undefined => {
  const spec = request.object?.spec;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : undefined;
};

export const certwrightAdmission: AdmissionPlugin = {
  handles(group, kind) {
    return resourceFor(group, kind) !== undefined;
  },

  /** Overwrites `spec.username/uid/groups/extra` with the requester's, so nobody can claim another's identity. */
  mutate(request) {
    if (!isCertificateRequestCreate(request)) return;
    const spec = specOf(request);
    if (!spec) return;
    const user = request.userInfo;
    spec.username = user.username;
    spec.uid = user.uid;
    spec.groups = [...user.groups];
    if (user.extra && Object.keys(user.extra).length > 0) {
      spec.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
    } else {
      delete spec.extra;
    }
  },

  validate(request): FieldError[] {
    const resource = resourceFor(request.group, request.kind);
    if (!resource || request.operation === 'DELETE' || !request.object) return [];
    const old = request.operation === 'UPDATE' ? request.oldObject : undefined;
    if (request.subresource === 'status') return resource.validateStatus(request.object, old);
    const errors = resource.validate(request.object, old);
    const spec = specOf(request);
    if (isCertificateRequestCreate(request) && spec) {
      errors.push(...identityCreateErrors(spec as CertificateRequestSpec, request.userInfo));
    }
    return errors;
  },

  warnings(request) {
    const resource = resourceFor(request.group, request.kind);
    if (!resource || request.operation === 'DELETE' || request.subresource !== undefined || !request.object) return [];
    return resource.warnings(request.object);
  },
};
