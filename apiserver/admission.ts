import type { FieldError } from '../api/field-errors.js';

/** A stored Kubernetes object as JSON; every kind has at least these members. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: OwnerReference[];
    managedFields?: unknown[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, e.g. `certificates`. */
  resource: string;
  /** `status` when the write came through the status subresource. */
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The object as it will be stored (after defaulting and pruning). Absent on DELETE. */
  object?: KubeObject;
  /** The stored object before this write. Absent on CREATE. */
  oldObject?: KubeObject;
  userInfo: UserInfo;
  dryRun: boolean;
}

/**
 * What a mutating + validating admission webhook would do, in process. The embedded API server
 * runs every plugin whose `handles` matches, mutations first, then validations; any field error
 * rejects the write with `422 Invalid` listing all causes.
 */
export interface AdmissionPlugin {
  handles(group: string, kind: string): boolean;
  /** Change `request.object` in place (e.g. set CertificateRequest identity fields on CREATE). */
  mutate?(request: AdmissionRequest): void;
  /** Every problem with the write; an empty list admits it. */
  validate(request: AdmissionRequest): FieldError[];
  /** Admission warnings returned in the `Warning` response header. */
  warnings?(request: AdmissionRequest): string[];
}
