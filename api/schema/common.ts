/**
 * Building blocks shared by every kind: meta types of `pkg/apis/meta/v1`, Kubernetes ObjectMeta,
 * conditions, and helpers that keep the TypeBox schemas valid structural OpenAPI for the CRDs.
 */
import { Type, type SchemaOptions, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';

type Literals<T extends readonly string[]> = { [K in keyof T]: TLiteral<T[K]> };

/** A string enum: a union of string literals (rendered as `type: string` + `enum` in the CRDs). */
export function StringEnum<const T extends readonly string[]>(values: T, options?: SchemaOptions): TUnion<[...Literals<T>]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<[...Literals<T>]>;
}

/** The literals of a schema built by {@link StringEnum}, or undefined for any other schema. */
export function enumValues(schema: TSchema): string[] | undefined {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (!anyOf || anyOf.length === 0) return undefined;
  const values = anyOf.map((s) => (s as { const?: unknown }).const);
  return values.every((v) => typeof v === 'string') ? (values as string[]) : undefined;
}

/** A list replaced as a whole by server-side apply, like cert-manager's `+listType=atomic` lists. */
export const AtomicList = <T extends TSchema>(items: T, options?: SchemaOptions) =>
  Type.Array(items, { 'x-kubernetes-list-type': 'atomic', ...options });

export const StringList = (options?: SchemaOptions) => AtomicList(Type.String(), options);

export const StringMap = (options?: SchemaOptions) => Type.Record(Type.String(), Type.String(), options);

/** RFC 3339 timestamp, as `metav1.Time` serialises. */
export const Timestamp = (options?: SchemaOptions) => Type.String({ format: 'date-time', ...options });

/** A Go `[]byte`: base64 in JSON (PEM data, CA bundles, CSRs). */
export const Bytes = (options?: SchemaOptions) => Type.String({ format: 'byte', ...options });

/** A Go `time.Duration` string such as `2160h` or `1h30m` (checked by validation, not by pattern). */
export const GoDuration = (options?: SchemaOptions) => Type.String(options);

export const Int32 = (options?: SchemaOptions) => Type.Integer({ format: 'int32', ...options });
export const Int64 = (options?: SchemaOptions) => Type.Integer({ format: 'int64', ...options });

/** Kubernetes ObjectMeta, loosely: the CRDs declare it as a bare `type: object`. */
export const ObjectMeta = Type.Object({
  name: Type.Optional(Type.String()),
  generateName: Type.Optional(Type.String()),
  namespace: Type.Optional(Type.String()),
  uid: Type.Optional(Type.String()),
  resourceVersion: Type.Optional(Type.String()),
  generation: Type.Optional(Int64()),
  creationTimestamp: Type.Optional(Timestamp()),
  deletionTimestamp: Type.Optional(Timestamp()),
  deletionGracePeriodSeconds: Type.Optional(Int64()),
  labels: Type.Optional(StringMap()),
  annotations: Type.Optional(StringMap()),
  finalizers: Type.Optional(Type.Array(Type.String())),
  ownerReferences: Type.Optional(
    Type.Array(
      Type.Object({
        apiVersion: Type.String(),
        kind: Type.String(),
        name: Type.String(),
        uid: Type.String(),
        controller: Type.Optional(Type.Boolean()),
        blockOwnerDeletion: Type.Optional(Type.Boolean()),
      }),
    ),
  ),
  managedFields: Type.Optional(Type.Array(Type.Unknown())),
});

export const ConditionStatus = StringEnum(['True', 'False', 'Unknown'], {
  description: 'Status of the condition, one of (`True`, `False`, `Unknown`).',
});

/** The condition shape every cert-manager kind uses (`metav1.Condition`-like, keyed by `type`). */
export const Condition = Type.Object({
  type: Type.String({ description: 'Type of the condition.' }),
  status: ConditionStatus,
  lastTransitionTime: Type.Optional(Timestamp()),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  observedGeneration: Type.Optional(Int64()),
});

/** `conditions` list: a list-map keyed by `type`, so each type appears once and merges by type. */
export const ConditionList = () =>
  Type.Array(Condition, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });

export const LocalObjectReference = Type.Object({
  name: Type.String({ description: 'Name of the resource being referred to.' }),
});

export const SecretKeySelector = Type.Object({
  name: Type.String({ description: 'Name of the Secret being referred to.' }),
  key: Type.Optional(
    Type.String({ description: 'Key of the entry in the Secret `data` field; some uses default it.' }),
  ),
});

export const IssuerReference = Type.Object({
  name: Type.String({ description: 'Name of the issuer being referred to.' }),
  kind: Type.Optional(Type.String({ description: "Kind of the issuer being referred to. Defaults to 'Issuer'." })),
  group: Type.Optional(
    Type.String({ description: "Group of the issuer being referred to. Defaults to 'cert-manager.io'." }),
  ),
});

/** The members every stored object has, around a kind-specific `spec` and `status`. */
export function KubeObject<Spec extends TSchema, Status extends TSchema>(
  apiVersion: string,
  kind: string,
  spec: Spec,
  status: Status,
  options?: SchemaOptions,
) {
  return Type.Object(
    {
      apiVersion: Type.Literal(apiVersion),
      kind: Type.Literal(kind),
      metadata: ObjectMeta,
      spec,
      status: Type.Optional(status),
    },
    options,
  );
}
