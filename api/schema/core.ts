/**
 * The slices of Kubernetes core/v1 types that cert-manager embeds in the HTTP-01 solver pod
 * template: scheduling (affinity, tolerations, node selector), security context and resources.
 */
import { Type } from '@sinclair/typebox';
import { AtomicList, Int32, Int64, LocalObjectReference, StringList, StringMap } from './common.js';

const LabelSelectorRequirement = Type.Object({
  key: Type.String(),
  operator: Type.String({ description: 'In, NotIn, Exists or DoesNotExist.' }),
  values: Type.Optional(StringList()),
});

export const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(StringMap()),
    matchExpressions: Type.Optional(AtomicList(LabelSelectorRequirement)),
  },
  { 'x-kubernetes-map-type': 'atomic' },
);

const NodeSelectorRequirement = Type.Object({
  key: Type.String(),
  operator: Type.String({ description: 'In, NotIn, Exists, DoesNotExist, Gt or Lt.' }),
  values: Type.Optional(StringList()),
});

const NodeSelectorTerm = Type.Object(
  {
    matchExpressions: Type.Optional(AtomicList(NodeSelectorRequirement)),
    matchFields: Type.Optional(AtomicList(NodeSelectorRequirement)),
  },
  { 'x-kubernetes-map-type': 'atomic' },
);

const PodAffinityTerm = Type.Object({
  labelSelector: Type.Optional(LabelSelector),
  namespaceSelector: Type.Optional(LabelSelector),
  namespaces: Type.Optional(StringList()),
  topologyKey: Type.String(),
  matchLabelKeys: Type.Optional(StringList()),
  mismatchLabelKeys: Type.Optional(StringList()),
});

const WeightedPodAffinityTerm = Type.Object({
  weight: Int32(),
  podAffinityTerm: PodAffinityTerm,
});

const PodAffinity = Type.Object({
  requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(AtomicList(PodAffinityTerm)),
  preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(AtomicList(WeightedPodAffinityTerm)),
});

export const Affinity = Type.Object({
  nodeAffinity: Type.Optional(
    Type.Object({
      requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(
        Type.Object(
          { nodeSelectorTerms: AtomicList(NodeSelectorTerm) },
          { 'x-kubernetes-map-type': 'atomic' },
        ),
      ),
      preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
        AtomicList(Type.Object({ weight: Int32(), preference: NodeSelectorTerm })),
      ),
    }),
  ),
  podAffinity: Type.Optional(PodAffinity),
  podAntiAffinity: Type.Optional(PodAffinity),
});

export const Toleration = Type.Object({
  key: Type.Optional(Type.String()),
  operator: Type.Optional(Type.String({ description: 'Exists or Equal (default).' })),
  value: Type.Optional(Type.String()),
  effect: Type.Optional(Type.String({ description: 'NoSchedule, PreferNoSchedule or NoExecute.' })),
  tolerationSeconds: Type.Optional(Int64()),
});

export const PodSecurityContext = Type.Object({
  seLinuxOptions: Type.Optional(
    Type.Object({
      level: Type.Optional(Type.String()),
      role: Type.Optional(Type.String()),
      type: Type.Optional(Type.String()),
      user: Type.Optional(Type.String()),
    }),
  ),
  runAsUser: Type.Optional(Int64()),
  runAsGroup: Type.Optional(Int64()),
  runAsNonRoot: Type.Optional(Type.Boolean()),
  supplementalGroups: Type.Optional(AtomicList(Int64())),
  fsGroup: Type.Optional(Int64()),
  sysctls: Type.Optional(AtomicList(Type.Object({ name: Type.String(), value: Type.String() }))),
  fsGroupChangePolicy: Type.Optional(Type.String({ description: 'OnRootMismatch or Always.' })),
  seccompProfile: Type.Optional(
    Type.Object({
      type: Type.String({ description: 'Localhost, RuntimeDefault or Unconfined.' }),
      localhostProfile: Type.Optional(Type.String()),
    }),
  ),
});

/** A resource quantity such as `100m` or `64Mi`, or a plain integer. */
export const Quantity = Type.Union([Type.Integer(), Type.String()], {
  'x-kubernetes-int-or-string': true,
  pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
});

export const ResourceRequirements = Type.Object({
  limits: Type.Optional(Type.Record(Type.String(), Quantity)),
  requests: Type.Optional(Type.Record(Type.String(), Quantity)),
});

export const ImagePullSecrets = () => AtomicList(LocalObjectReference);
