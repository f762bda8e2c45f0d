/**
 * The HTTP-01 solver overrides an Order carries in its annotations (reference §4.3; ingress-shim
 * and gateway-shim write them on the Certificate, and they are copied to the CertificateRequest
 * and the Order): cert-manager's `applyIngressParameterAnnotationOverrides` and
 * `applyGatewayParameterOverrides`, applied to the solver the Challenge is created with.
 */
import type { ACMEChallengeSolver, ParentReference } from '../../api/types.js';
import {
  HTTP01_OVERRIDE_INGRESS_CLASS_ANNOTATION,
  HTTP01_OVERRIDE_INGRESS_INGRESSCLASSNAME_ANNOTATION,
  HTTP01_OVERRIDE_INGRESS_NAME_ANNOTATION,
  HTTP01_PARENT_REF_KIND_ANNOTATION,
  HTTP01_PARENT_REF_NAME_ANNOTATION,
} from '../../api/well-known.js';

export const HTTP01_PARENT_REF_NAMESPACE_ANNOTATION = 'acme.cert-manager.io/http01-parentrefnamespace';
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** An override that cannot be applied (the Challenge is not created; the message says why). */
export class SolverOverrideError extends Error {
  override readonly name = 'SolverOverrideError';
}

type Annotations = Readonly<Record<string, string>>;

/** At most one of the ingress name / class / className overrides; the one given replaces all three of the solver's. */
export function applyIngressOverrides(solver: ACMEChallengeSolver, annotations: Annotations): ACMEChallengeSolver {
  const ingress = solver.http01?.ingress;
  if (!ingress) return solver;
  const given = [HTTP01_OVERRIDE_INGRESS_NAME_ANNOTATION, HTTP01_OVERRIDE_INGRESS_CLASS_ANNOTATION, HTTP01_OVERRIDE_INGRESS_INGRESSCLASSNAME_ANNOTATION].filter((key) => key in annotations);
  if (given.length === 0) return solver;
  if (given.length > 1) throw new SolverOverrideError(`only one of the annotations ${given.join(', ')} may be set on the Order`);
  const { name: _name, class: _class, ingressClassName: _className, ...rest } = ingress;
  const value = annotations[given[0]!]!;
  const override =
    given[0] === HTTP01_OVERRIDE_INGRESS_NAME_ANNOTATION ? { name: value } : given[0] === HTTP01_OVERRIDE_INGRESS_CLASS_ANNOTATION ? { class: value } : { ingressClassName: value };
  return { ...solver, http01: { ...solver.http01, ingress: { ...rest, ...override } } };
}

/** Parent-ref name and kind (both or neither, namespace defaulting to the Order's): replaces the same parent among the solver's, or is appended. */
export function applyGatewayOverrides(solver: ACMEChallengeSolver, annotations: Annotations, orderNamespace: string): ACMEChallengeSolver {
  const route = solver.http01?.gatewayHTTPRoute;
  if (!route) return solver;
  const name = annotations[HTTP01_PARENT_REF_NAME_ANNOTATION];
  const kind = annotations[HTTP01_PARENT_REF_KIND_ANNOTATION];
  let parentRefs = route.parentRefs ?? [];
  if (name !== undefined || kind !== undefined) {
    if (name === undefined || kind === undefined) throw new SolverOverrideError(`the annotations ${HTTP01_PARENT_REF_NAME_ANNOTATION} and ${HTTP01_PARENT_REF_KIND_ANNOTATION} must be set together`);
    const override: ParentReference = { group: GATEWAY_API_GROUP, kind, name, namespace: annotations[HTTP01_PARENT_REF_NAMESPACE_ANNOTATION] ?? orderNamespace };
    const same = (ref: ParentReference) => ref.name === override.name && (ref.kind ?? 'Gateway') === override.kind && (ref.namespace ?? orderNamespace) === override.namespace;
    parentRefs = [...parentRefs.filter((ref) => !same(ref)), override];
  }
  if (parentRefs.length === 0) throw new SolverOverrideError('the gatewayHTTPRoute solver has no parentRefs and the Order no parent-ref annotations');
  return { ...solver, http01: { ...solver.http01, gatewayHTTPRoute: { ...route, parentRefs } } };
}

/** The solver a Challenge of `order` is created with. */
export function solverForOrder(solver: ACMEChallengeSolver, order: { metadata: { annotations?: Annotations; namespace?: string } }): ACMEChallengeSolver {
  const annotations = order.metadata.annotations ?? {};
  return applyGatewayOverrides(applyIngressOverrides(solver, annotations), annotations, order.metadata.namespace ?? '');
}
