/**
 * ingress-shim (reference §4): an Ingress with `cert-manager.io/issuer`, `cluster-issuer` or one of
 * `--auto-certificate-annotations` set to true gets one Certificate per `spec.tls[]` Secret.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import { duplicate, formatFieldError, formatFieldErrors, required, type FieldError } from '../../api/field-errors.js';
import {
  CLUSTER_ISSUER_ANNOTATION,
  HTTP01_EDIT_IN_PLACE_ANNOTATION,
  HTTP01_INGRESS_CLASS_ANNOTATION,
  HTTP01_INGRESS_INGRESSCLASSNAME_ANNOTATION,
  HTTP01_OVERRIDE_INGRESS_CLASS_ANNOTATION,
  HTTP01_OVERRIDE_INGRESS_INGRESSCLASSNAME_ANNOTATION,
  HTTP01_OVERRIDE_INGRESS_NAME_ANNOTATION,
  ISSUE_TEMPORARY_CERTIFICATE_ANNOTATION,
  ISSUER_ANNOTATION,
  TLS_ACME_ANNOTATION,
} from '../../api/well-known.js';
import type { ResourceType } from '../runtime/resources.js';
import { BadConfigError, isTrueBoolean } from '../shim/annotations.js';
import type { TlsTarget } from '../shim/certificates.js';
import type { ShimSource } from '../shim/controller.js';

export const INGRESSES: ResourceType = { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true };

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface Ingress extends KubeObject {
  spec?: { ingressClassName?: string; tls?: IngressTLS[] };
}

export const INGRESS_SHIM_CONTROLLER_NAME = 'ingress-shim';
export const INGRESS_SHIM_FIELD_MANAGER = 'certwright-ingress-shim';
/** `--auto-certificate-annotations` default. */
export const DEFAULT_AUTO_CERTIFICATE_ANNOTATIONS: readonly string[] = [TLS_ACME_ANNOTATION];

/** The Secrets of `spec.tls`; a block without hosts or secretName is skipped, a Secret named twice is a BadConfig. */
export function ingressTlsTargets(ingress: Ingress): { targets: TlsTarget[]; skipped: string[] } {
  const blocks = ingress.spec?.tls ?? [];
  const seen = new Set<string>();
  const duplicates: FieldError[] = [];
  blocks.forEach((tls, i) => {
    if (!tls.secretName) return;
    if (seen.has(tls.secretName)) duplicates.push(duplicate(`spec.tls[${i}].secretName`, tls.secretName));
    seen.add(tls.secretName);
  });
  if (duplicates.length > 0) throw new BadConfigError(formatFieldErrors(duplicates));

  const targets: TlsTarget[] = [];
  const skipped: string[] = [];
  blocks.forEach((tls, i) => {
    if (!tls.hosts?.length) skipped.push(`Skipped a TLS block: ${formatFieldError(required(`spec.tls[${i}].hosts`))}`);
    else if (!tls.secretName) skipped.push(`Skipped a TLS block: ${formatFieldError(required(`spec.tls[${i}].secretName`))}`);
    else targets.push({ secretName: tls.secretName, hosts: tls.hosts });
  });
  return { targets, skipped };
}

/** HTTP-01 solver overrides from the Ingress's `acme.cert-manager.io/http01-*` annotations. */
export function ingressCertificateAnnotations(ingress: Ingress): Record<string, string> {
  const annotations = ingress.metadata.annotations ?? {};
  const out: Record<string, string> = {};
  if (annotations[HTTP01_EDIT_IN_PLACE_ANNOTATION] === 'true') {
    out[HTTP01_OVERRIDE_INGRESS_NAME_ANNOTATION] = ingress.metadata.name!;
    // The solver edits this very Ingress, which needs a certificate to serve meanwhile.
    out[ISSUE_TEMPORARY_CERTIFICATE_ANNOTATION] = 'true';
  }
  const ingressClass = annotations[HTTP01_INGRESS_CLASS_ANNOTATION];
  if (ingressClass !== undefined) out[HTTP01_OVERRIDE_INGRESS_CLASS_ANNOTATION] = ingressClass;
  const ingressClassName = annotations[HTTP01_INGRESS_INGRESSCLASSNAME_ANNOTATION];
  if (ingressClassName !== undefined) out[HTTP01_OVERRIDE_INGRESS_INGRESSCLASSNAME_ANNOTATION] = ingressClassName;
  return out;
}

export function ingressShimSource(autoCertificateAnnotations: readonly string[] = DEFAULT_AUTO_CERTIFICATE_ANNOTATIONS): ShimSource<Ingress> {
  return {
    controllerName: INGRESS_SHIM_CONTROLLER_NAME,
    fieldManager: INGRESS_SHIM_FIELD_MANAGER,
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    wantsCertificates: (ingress) => {
      const annotations = ingress.metadata.annotations ?? {};
      if (annotations[ISSUER_ANNOTATION] !== undefined || annotations[CLUSTER_ISSUER_ANNOTATION] !== undefined) return true;
      return autoCertificateAnnotations.some((key) => isTrueBoolean(annotations[key]));
    },
    tlsTargets: ingressTlsTargets,
    certificateAnnotations: ingressCertificateAnnotations,
  };
}
