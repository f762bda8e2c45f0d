/** Which metadata keys belong to the controller, and the owner reference of a Certificate's dependents. */
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { Certificate } from '../../api/types.js';
import { CERTIFICATE_API_VERSION } from '../../api/well-known.js';

/** Prefixes of the label and annotation keys that belong to the controller rather than to users. */
const CONTROLLER_KEY_PREFIXES = ['cert-manager.io/', 'controller.cert-manager.io/'];

export function isControllerKey(key: string): boolean {
  return CONTROLLER_KEY_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/** The controller reference to `certificate` (garbage collection deletes the dependent with it). */
export function certificateOwnerReference(certificate: Certificate): V1OwnerReference {
  const { name, uid } = certificate.metadata;
  if (!name || !uid) throw new Error('an owner reference needs the Certificate to have metadata.name and metadata.uid');
  return { apiVersion: CERTIFICATE_API_VERSION, kind: 'Certificate', name, uid, controller: true, blockOwnerDeletion: true };
}

/** Whether the Certificate's `Issuing` condition is `True`. */
export function isIssuing(certificate: Certificate): boolean {
  return certificate.status?.conditions?.some((c) => c.type === 'Issuing' && c.status === 'True') ?? false;
}
