/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies, which kubectl's typed clients
 * send (`kubectl create secret|configmap|namespace|serviceaccount|service|ingress|token`). Only
 * the kinds those commands create are described; the field numbers are those of k8s.io/api's
 * generated.proto. Responses are always JSON, which every client accepts.
 */
import { badRequest, unsupportedMediaType } from './errors.js';
import { rfc3339 } from './time.js';

type FieldType = 'string' | 'bytes' | 'varint' | 'bool' | 'time' | 'intOrString' | { message: Message } | { map: 'string' | 'bytes' };

interface Field {
  name: string;
  type: FieldType;
  repeated?: true;
  /** Go's `json:",inline"`: the message's fields belong to the parent. */
  inline?: true;
}

type Message = Record<number, Field>;

const f = (name: string, type: FieldType, extra: Partial<Field> = {}): Field => ({ name, type, ...extra });
const msg = (message: Message): { message: Message } => ({ message });

const ownerReference: Message = { 5: f('apiVersion', 'string'), 1: f('kind', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 6: f('controller', 'bool'), 7: f('blockOwnerDeletion', 'bool') };

const objectMeta: Message = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'varint'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'varint'),
  11: f('labels', { map: 'string' }),
  12: f('annotations', { map: 'string' }),
  13: f('ownerReferences', msg(ownerReference), { repeated: true }),
  14: f('finalizers', 'string', { repeated: true }),
};

const objectReference: Message = { 1: f('kind', 'string'), 2: f('namespace', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('resourceVersion', 'string'), 7: f('fieldPath', 'string') };
const localObjectReference: Message = { 1: f('name', 'string') };
const metadata = f('metadata', msg(objectMeta));

const secret: Message = { 1: metadata, 2: f('data', { map: 'bytes' }), 3: f('type', 'string'), 4: f('stringData', { map: 'string' }), 5: f('immutable', 'bool') };
const configMap: Message = { 1: metadata, 2: f('data', { map: 'string' }), 3: f('binaryData', { map: 'bytes' }), 4: f('immutable', 'bool') };
const namespace: Message = { 1: metadata, 2: f('spec', msg({ 1: f('finalizers', 'string', { repeated: true }) })) };
const serviceAccount: Message = {
  1: metadata,
  2: f('secrets', msg(objectReference), { repeated: true }),
  3: f('imagePullSecrets', msg(localObjectReference), { repeated: true }),
  4: f('automountServiceAccountToken', 'bool'),
};

const servicePort: Message = { 1: f('name', 'string'), 2: f('protocol', 'string'), 6: f('appProtocol', 'string'), 3: f('port', 'varint'), 4: f('targetPort', 'intOrString'), 5: f('nodePort', 'varint') };
const service: Message = {
  1: metadata,
  2: f(
    'spec',
    msg({
      1: f('ports', msg(servicePort), { repeated: true }),
      2: f('selector', { map: 'string' }),
      3: f('clusterIP', 'string'),
      18: f('clusterIPs', 'string', { repeated: true }),
      4: f('type', 'string'),
      5: f('externalIPs', 'string', { repeated: true }),
      7: f('sessionAffinity', 'string'),
      8: f('loadBalancerIP', 'string'),
      9: f('loadBalancerSourceRanges', 'string', { repeated: true }),
      10: f('externalName', 'string'),
      11: f('externalTrafficPolicy', 'string'),
      12: f('healthCheckNodePort', 'varint'),
      13: f('publishNotReadyAddresses', 'bool'),
      17: f('ipFamilyPolicy', 'string'),
      19: f('ipFamilies', 'string', { repeated: true }),
      20: f('allocateLoadBalancerNodePorts', 'bool'),
      21: f('loadBalancerClass', 'string'),
      22: f('internalTrafficPolicy', 'string'),
    }),
  ),
};

const ingressBackend: Message = {
  4: f('service', msg({ 1: f('name', 'string'), 2: f('port', msg({ 1: f('name', 'string'), 2: f('number', 'varint') })) })),
  3: f('resource', msg({ 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') })),
};
const ingress: Message = {
  1: metadata,
  2: f(
    'spec',
    msg({
      4: f('ingressClassName', 'string'),
      1: f('defaultBackend', msg(ingressBackend)),
      2: f('tls', msg({ 1: f('hosts', 'string', { repeated: true }), 2: f('secretName', 'string') }), { repeated: true }),
      3: f(
        'rules',
        msg({
          1: f('host', 'string'),
          2: f('ingressRuleValue', msg({ 1: f('http', msg({ 1: f('paths', msg({ 1: f('path', 'string'), 3: f('pathType', 'string'), 2: f('backend', msg(ingressBackend)) }), { repeated: true }) })) }), { inline: true }),
        }),
        { repeated: true },
      ),
    }),
  ),
};

const tokenRequest: Message = {
  1: metadata,
  2: f(
    'spec',
    msg({
      1: f('audiences', 'string', { repeated: true }),
      4: f('expirationSeconds', 'varint'),
      3: f('boundObjectRef', msg({ 1: f('kind', 'string'), 2: f('apiVersion', 'string'), 3: f('name', 'string'), 4: f('uid', 'string') })),
    }),
  ),
};

const kinds: Record<string, Message> = {
  'v1/Secret': secret,
  'v1/ConfigMap': configMap,
  'v1/Namespace': namespace,
  'v1/ServiceAccount': serviceAccount,
  'v1/Service': service,
  'networking.k8s.io/v1/Ingress': ingress,
  'authentication.k8s.io/v1/TokenRequest': tokenRequest,
};

export const protobufContentType = 'application/vnd.kubernetes.protobuf';
const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly bytes: Buffer) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.bytes.length) throw badRequest('protobuf: truncated varint');
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw badRequest('protobuf: varint too long');
    }
  }

  take(length: number): Buffer {
    if (this.pos + length > this.bytes.length) throw badRequest('protobuf: truncated field');
    const slice = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(Number(this.varint()));
    else if (wireType === 5) this.take(4);
    else throw badRequest(`protobuf: unsupported wire type ${wireType}`);
  }
}

const int64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

function decodeScalarMessage(bytes: Buffer): Map<number, bigint | Buffer> {
  const r = new Reader(bytes);
  const fields = new Map<number, bigint | Buffer>();
  while (!r.done) {
    const tag = Number(r.varint());
    const wire = tag & 7;
    if (wire === 0) fields.set(tag >> 3, r.varint());
    else if (wire === 2) fields.set(tag >> 3, r.take(Number(r.varint())));
    else r.skip(wire);
  }
  return fields;
}

function decodeField(field: Field, wire: number, r: Reader): unknown {
  const type = field.type;
  if (type === 'varint' || type === 'bool') {
    if (wire !== 0) throw badRequest(`protobuf: ${field.name} is not a varint`);
    const v = r.varint();
    return type === 'bool' ? v !== 0n : int64(v);
  }
  if (wire !== 2) throw badRequest(`protobuf: ${field.name} is not length-delimited`);
  const bytes = r.take(Number(r.varint()));
  if (type === 'string') return bytes.toString('utf8');
  if (type === 'bytes') return bytes.toString('base64');
  if (type === 'time') {
    const t = decodeScalarMessage(bytes);
    const seconds = t.get(1);
    return typeof seconds === 'bigint' && seconds !== 0n ? rfc3339(new Date(int64(seconds) * 1000)) : undefined;
  }
  if (type === 'intOrString') {
    const v = decodeScalarMessage(bytes);
    const kind = v.get(1);
    return kind === 1n ? (v.get(3) as Buffer | undefined)?.toString('utf8') : int64((v.get(2) as bigint | undefined) ?? 0n);
  }
  if ('map' in type) {
    const entry = decodeScalarMessage(bytes);
    const key = (entry.get(1) as Buffer | undefined)?.toString('utf8') ?? '';
    const value = (entry.get(2) as Buffer | undefined) ?? Buffer.alloc(0);
    return [key, type.map === 'bytes' ? value.toString('base64') : value.toString('utf8')];
  }
  return decodeMessage(bytes, type.message);
}

/** Go omits empty optional fields from JSON; the protobuf encoding writes them, so they are dropped here. */
const isEmptyScalar = (v: unknown): boolean => v === '' || v === 0 || v === undefined;

function decodeMessage(bytes: Buffer, message: Message): Record<string, unknown> {
  const r = new Reader(bytes);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = Number(r.varint());
    const field = message[tag >> 3];
    if (!field) {
      r.skip(tag & 7);
      continue;
    }
    const value = decodeField(field, tag & 7, r);
    if (typeof field.type === 'object' && 'map' in field.type) {
      const [k, v] = value as [string, string];
      out[field.name] = { ...(out[field.name] as object), [k]: v };
    } else if (field.inline) {
      Object.assign(out, value);
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as unknown[]) ?? []), value];
    } else if (!isEmptyScalar(value)) {
      out[field.name] = value;
    }
  }
  return out;
}

/** A `k8s\0`-framed `runtime.Unknown` holding one of the kinds above → the object as JSON. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < magic.length || !body.subarray(0, magic.length).equals(magic)) throw badRequest('protobuf: the body does not start with the Kubernetes protobuf magic number');
  const envelope = decodeScalarMessage(body.subarray(magic.length));
  const typeMeta = envelope.get(1);
  const raw = envelope.get(2);
  if (!(typeMeta instanceof Buffer) || !(raw instanceof Buffer)) throw badRequest('protobuf: the envelope lacks its type or its object');
  const type = decodeScalarMessage(typeMeta);
  const apiVersion = (type.get(1) as Buffer | undefined)?.toString('utf8') ?? '';
  const kind = (type.get(2) as Buffer | undefined)?.toString('utf8') ?? '';
  const message = kinds[`${apiVersion}/${kind}`];
  if (!message) throw unsupportedMediaType(['application/json', 'application/yaml']);
  return { apiVersion, kind, ...decodeMessage(raw, message) };
}
