/**
 * Which shard an object belongs to. A Certificate's whole chain (its CertificateRequests, and the
 * ACME Orders and Challenges under them) hashes to the Certificate's shard, so one replica owns
 * every step of an issuance.
 */
import CRC32 from 'crc-32';
import type { KubeObject } from '../../apiserver/admission.js';
import { CERTIFICATE_NAME_ANNOTATION } from '../../api/well-known.js';
import { keyOf, objectKey, type ObjectRef } from '../runtime/keys.js';

/** Stable across processes, versions and platforms: crc32 of the `namespace/name` key. */
export function shardOf(key: string, shardCount: number): number {
  if (!(Number.isInteger(shardCount) && shardCount >= 1)) throw new RangeError(`shard count must be a positive integer, got ${shardCount}`);
  return (CRC32.str(key) >>> 0) % shardCount;
}

/** Kinds whose objects belong to the chain of the object their controller owner reference names. */
const CHAIN_KINDS = new Set(['Certificate', 'CertificateRequest', 'Order', 'Challenge']);

/** Finds a chain object by kind in a cache (`undefined` when it is not there). */
export type ChainLookup = (kind: string, ref: ObjectRef) => KubeObject | undefined;

/**
 * The key of the Certificate an object's issuance chain starts from: the
 * `cert-manager.io/certificate-name` annotation, else its controller owner followed up the chain
 * (Challenge → Order → CertificateRequest → Certificate), else the object's own key (a standalone
 * CertificateRequest, an Issuer, an Ingress).
 */
export function chainRootKey(obj: KubeObject, lookup: ChainLookup, depth = 0): string {
  const { namespace } = obj.metadata;
  const certificateName = obj.metadata.annotations?.[CERTIFICATE_NAME_ANNOTATION];
  if (namespace && certificateName) return keyOf({ namespace, name: certificateName });
  const owner = obj.metadata.ownerReferences?.find((ref) => ref.controller && CHAIN_KINDS.has(ref.kind));
  if (!namespace || !owner || depth > CHAIN_KINDS.size) return objectKey(obj);
  const ref = { namespace, name: owner.name };
  if (owner.kind === 'Certificate') return keyOf(ref);
  const parent = lookup(owner.kind, ref);
  // The parent is gone from the cache (being deleted): its own key is still one stable answer.
  return parent ? chainRootKey(parent, lookup, depth + 1) : keyOf(ref);
}

export const SHARD_LEASE_PREFIX = 'certwright-shard-';
export const MEMBER_LEASE_PREFIX = 'certwright-member-';

export function shardLeaseName(shard: number): string {
  return `${SHARD_LEASE_PREFIX}${shard}`;
}

/** The shard a shard Lease name stands for, or undefined for other names. */
export function shardOfLeaseName(name: string): number | undefined {
  const m = /^certwright-shard-(0|[1-9]\d{0,5})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * A replica's member Lease: identities are pod names plus a random suffix (up to 253 characters),
 * so the name carries a hash of the identity to stay a valid, short object name.
 */
export function memberLeaseName(identity: string): string {
  return `${MEMBER_LEASE_PREFIX}${(CRC32.str(identity) >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * Rendezvous order of the shards for one replica: each replica prefers a different shard first,
 * so replicas that start together rarely race for the same Lease.
 */
export function preferenceOrder(identity: string, shards: readonly number[]): number[] {
  const score = (shard: number) => CRC32.str(`${identity}/${shard}`) >>> 0;
  return [...shards].sort((a, b) => score(a) - score(b) || a - b);
}
