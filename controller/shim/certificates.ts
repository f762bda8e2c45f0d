/**
 * The Certificates an Ingress or Gateway asks for (reference §4.4), and what to do about the ones
 * that exist: pure functions the shim reconciler runs level-triggered on every sync.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import type { Certificate, CertificateSpec, IssuerReference } from '../../api/types.js';
import { CERTIFICATE_API_VERSION } from '../../api/well-known.js';
import { isIPAddress } from '../../api/validation/syntax.js';
import { DEFAULT_USAGES } from '../../pki/usages.js';
import { translateAnnotations, type Annotations } from './annotations.js';

/** One Secret an object wants a certificate in, and the names that certificate is for. */
export interface TlsTarget {
  secretName: string;
  hosts: string[];
}

/** Labels of the object that are not copied to its Certificates (kubectl's applyset bookkeeping). */
const UNCOPIED_LABELS = ['applyset.kubernetes.io/part-of'];

function copiedLabels(labels: Annotations | undefined): Record<string, string> | undefined {
  if (!labels) return undefined;
  const copied = Object.fromEntries(Object.entries(labels).filter(([key]) => !UNCOPIED_LABELS.includes(key)));
  return Object.keys(copied).length > 0 ? copied : undefined;
}

export interface DesiredCertificateOptions {
  issuerRef: IssuerReference;
  /** Annotations every Certificate of the object carries (solver overrides). */
  annotations?: Record<string, string>;
}

/**
 * The Certificate for one TLS target of `parent`: named after the Secret, controlled by the
 * parent, with the parent's labels, hosts split into DNS names and IP addresses, default usages,
 * then the parent's annotations translated. Throws `BadConfigError` for bad annotations.
 */
export function desiredCertificate(parent: KubeObject, target: TlsTarget, options: DesiredCertificateOptions): Certificate {
  const hosts = [...new Set(target.hosts)];
  const ipAddresses = hosts.filter(isIPAddress);
  const dnsNames = hosts.filter((host) => !isIPAddress(host));
  const base: CertificateSpec = {
    ...(dnsNames.length > 0 ? { dnsNames } : {}),
    ...(ipAddresses.length > 0 ? { ipAddresses } : {}),
    secretName: target.secretName,
    issuerRef: options.issuerRef,
    usages: [...DEFAULT_USAGES] as CertificateSpec['usages'],
  };
  const labels = copiedLabels(parent.metadata.labels);
  const annotations = options.annotations && Object.keys(options.annotations).length > 0 ? options.annotations : undefined;
  return {
    apiVersion: CERTIFICATE_API_VERSION,
    kind: 'Certificate',
    metadata: {
      name: target.secretName,
      namespace: parent.metadata.namespace!,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ownerReferences: [{ apiVersion: parent.apiVersion, kind: parent.kind, name: parent.metadata.name!, uid: parent.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: translateAnnotations(base, parent.metadata.annotations ?? {}),
  };
}

/** True when `obj` has `owner` as its controller (metav1.IsControlledBy). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === owner.metadata.uid);
}

const sameLabels = (a: Annotations | undefined, b: Annotations | undefined) => {
  const left = Object.entries(a ?? {}).sort();
  const right = Object.entries(b ?? {}).sort();
  return JSON.stringify(left) === JSON.stringify(right);
};

/**
 * cert-manager's `certNeedsUpdate`: only these fields are compared, so edits to usages, IPs,
 * emails, subject, secretTemplate, renewBeforePercentage or the issuer group alone leave an
 * existing Certificate as it is (reference §10); when one of them differs the whole desired spec
 * is written.
 */
export function certNeedsUpdate(existing: Certificate, desired: Certificate): boolean {
  const a = existing.spec;
  const b = desired.spec;
  const keyA = a.privateKey ?? {};
  const keyB = b.privateKey ?? {};
  const sizeMatters = (keyB.algorithm ?? keyA.algorithm) !== 'Ed25519';
  return (
    existing.metadata.name !== desired.metadata.name ||
    !sameLabels(existing.metadata.labels, desired.metadata.labels) ||
    (a.commonName ?? '') !== (b.commonName ?? '') ||
    JSON.stringify(a.dnsNames ?? []) !== JSON.stringify(b.dnsNames ?? []) ||
    a.secretName !== b.secretName ||
    a.issuerRef.name !== b.issuerRef.name ||
    (a.issuerRef.kind ?? '') !== (b.issuerRef.kind ?? '') ||
    a.revisionHistoryLimit !== b.revisionHistoryLimit ||
    keyA.algorithm !== keyB.algorithm ||
    keyA.encoding !== keyB.encoding ||
    keyA.rotationPolicy !== keyB.rotationPolicy ||
    (sizeMatters && keyA.size !== keyB.size) ||
    a.duration !== b.duration ||
    a.renewBefore !== b.renewBefore
  );
}

export interface ShimPlan {
  create: Certificate[];
  update: Certificate[];
  /** Certificates the parent controls whose Secret it no longer names. */
  delete: Certificate[];
  /** Desired names taken by a Certificate the parent does not control (left alone). */
  notOwned: Certificate[];
}

/**
 * What to write so the Certificates of `parent` are `desired`: `existing` looks a Certificate up
 * by name in the parent's namespace, `owned` are the ones the parent controls now.
 */
export function planShimSync(
  parent: KubeObject,
  desired: readonly Certificate[],
  existing: (name: string) => Certificate | undefined,
  owned: readonly Certificate[],
): ShimPlan {
  const plan: ShimPlan = { create: [], update: [], delete: [], notOwned: [] };
  for (const certificate of desired) {
    const current = existing(certificate.metadata.name!);
    if (!current) plan.create.push(certificate);
    else if (!isControlledBy(current, parent)) plan.notOwned.push(current);
    else if (certNeedsUpdate(current, certificate)) plan.update.push(certificate);
  }
  const wanted = new Set(desired.map((c) => c.spec.secretName));
  plan.delete = owned.filter((c) => isControlledBy(c, parent) && !wanted.has(c.spec.secretName));
  return plan;
}

/** Objects being deleted (directly or in the foreground) get nothing new. */
export function isBeingDeleted(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined || (obj.metadata.finalizers ?? []).includes('foregroundDeletion');
}
