/**
 * The six custom resources certwright serves, with everything the API server, `kubectl` and the
 * CRD generator need to know about each (reference §0): names, scope, printer columns, selectable
 * fields, schema and validation.
 */
import type { TSchema } from '@sinclair/typebox';
import { ACME_GROUP, CERT_MANAGER_GROUP } from './defaults.js';
import type { FieldError } from './field-errors.js';
import { Certificate } from './schema/certificate.js';
import { CertificateRequest } from './schema/certificaterequest.js';
import { Challenge } from './schema/challenge.js';
import { ClusterIssuer, Issuer } from './schema/issuer.js';
import { Order } from './schema/order.js';
import type { IssuerSpec } from './types.js';
import {
  validateCertificate,
  validateCertificateRequest,
  validateCertificateRequestStatus,
  validateCertificateStatus,
  validateChallenge,
  validateChallengeStatus,
  validateClusterIssuer,
  validateClusterIssuerStatus,
  validateIssuer,
  validateIssuerStatus,
  validateOrder,
  validateOrderStatus,
} from './validation/index.js';
import { issuerWarnings } from './validation/issuer.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'date' | 'integer' | 'number' | 'boolean';
  jsonPath: string;
  description?: string;
  /** 1 = shown only with `kubectl get -o wide`. */
  priority?: number;
}

export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  scope: 'Namespaced' | 'Cluster';
  shortNames: string[];
  categories: string[];
  additionalPrinterColumns: PrinterColumn[];
  selectableFields: { jsonPath: string }[];
  /** TypeBox schema of the whole object (its CRD schema is derived from it). */
  schema: TSchema;
  /** Every problem with a create (no `old`) or update of the main resource. */
  validate(object: unknown, old?: unknown): FieldError[];
  /** Every problem with a write through the `status` subresource. */
  validateStatus(object: unknown, old?: unknown): FieldError[];
  /** Admission warnings for a create or update. */
  warnings(object: unknown): string[];
}

const AGE: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
};

const condition = (name: string, type: string, member: 'status' | 'message', priority?: number): PrinterColumn => ({
  name,
  type: 'string',
  jsonPath: `.status.conditions[?(@.type == "${type}")].${member}`,
  ...(priority !== undefined && { priority }),
});

const ISSUER_REF_FIELDS = [{ jsonPath: '.spec.issuerRef.group' }, { jsonPath: '.spec.issuerRef.kind' }, { jsonPath: '.spec.issuerRef.name' }];

const noWarnings = (): string[] => [];
const issuerSpecWarnings = (object: unknown): string[] => issuerWarnings((object ?? {}) as { spec?: IssuerSpec });

export const certwrightResources: ResourceDefinition[] = [
  {
    group: CERT_MANAGER_GROUP,
    version: 'v1',
    kind: 'Certificate',
    listKind: 'CertificateList',
    plural: 'certificates',
    singular: 'certificate',
    scope: 'Namespaced',
    shortNames: ['cert', 'certs'],
    categories: ['cert-manager'],
    additionalPrinterColumns: [
      condition('Ready', 'Ready', 'status'),
      { name: 'Secret', type: 'string', jsonPath: '.spec.secretName' },
      { name: 'Issuer', type: 'string', jsonPath: '.spec.issuerRef.name', priority: 1 },
      condition('Status', 'Ready', 'message', 1),
      { name: 'Expiration', type: 'date', jsonPath: '.status.notAfter', priority: 1 },
      AGE,
    ],
    selectableFields: ISSUER_REF_FIELDS,
    schema: Certificate,
    validate: validateCertificate,
    validateStatus: validateCertificateStatus,
    warnings: noWarnings,
  },
  {
    group: CERT_MANAGER_GROUP,
    version: 'v1',
    kind: 'CertificateRequest',
    listKind: 'CertificateRequestList',
    plural: 'certificaterequests',
    singular: 'certificaterequest',
    scope: 'Namespaced',
    shortNames: ['cr', 'crs'],
    categories: ['cert-manager'],
    additionalPrinterColumns: [
      condition('Approved', 'Approved', 'status'),
      condition('Denied', 'Denied', 'status'),
      condition('Ready', 'Ready', 'status'),
      { name: 'Issuer', type: 'string', jsonPath: '.spec.issuerRef.name' },
      { name: 'Requester', type: 'string', jsonPath: '.spec.username' },
      condition('Status', 'Ready', 'message', 1),
      AGE,
    ],
    selectableFields: ISSUER_REF_FIELDS,
    schema: CertificateRequest,
    validate: validateCertificateRequest,
    validateStatus: validateCertificateRequestStatus,
    warnings: noWarnings,
  },
  {
    group: CERT_MANAGER_GROUP,
    version: 'v1',
    kind: 'Issuer',
    listKind: 'IssuerList',
    plural: 'issuers',
    singular: 'issuer',
    scope: 'Namespaced',
    shortNames: ['iss'],
    categories: ['cert-manager'],
    additionalPrinterColumns: [condition('Ready', 'Ready', 'status'), condition('Status', 'Ready', 'message', 1), AGE],
    selectableFields: [],
    schema: Issuer,
    validate: validateIssuer,
    validateStatus: validateIssuerStatus,
    warnings: issuerSpecWarnings,
  },
  {
    group: CERT_MANAGER_GROUP,
    version: 'v1',
    kind: 'ClusterIssuer',
    listKind: 'ClusterIssuerList',
    plural: 'clusterissuers',
    singular: 'clusterissuer',
    scope: 'Cluster',
    shortNames: ['ciss'],
    categories: ['cert-manager'],
    additionalPrinterColumns: [condition('Ready', 'Ready', 'status'), condition('Status', 'Ready', 'message', 1), AGE],
    selectableFields: [],
    schema: ClusterIssuer,
    validate: validateClusterIssuer,
    validateStatus: validateClusterIssuerStatus,
    warnings: issuerSpecWarnings,
  },
  {
    group: ACME_GROUP,
    version: 'v1',
    kind: 'Order',
    listKind: 'OrderList',
    plural: 'orders',
    singular: 'order',
    scope: 'Namespaced',
    shortNames: [],
    categories: ['cert-manager', 'cert-manager-acme'],
    additionalPrinterColumns: [
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Issuer', type: 'string', jsonPath: '.spec.issuerRef.name', priority: 1 },
      { name: 'Reason', type: 'string', jsonPath: '.status.reason', priority: 1 },
      AGE,
    ],
    selectableFields: ISSUER_REF_FIELDS,
    schema: Order,
    validate: validateOrder,
    validateStatus: validateOrderStatus,
    warnings: noWarnings,
  },
  {
    group: ACME_GROUP,
    version: 'v1',
    kind: 'Challenge',
    listKind: 'ChallengeList',
    plural: 'challenges',
    singular: 'challenge',
    scope: 'Namespaced',
    shortNames: [],
    categories: ['cert-manager', 'cert-manager-acme'],
    additionalPrinterColumns: [
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Domain', type: 'string', jsonPath: '.spec.dnsName' },
      { name: 'Reason', type: 'string', jsonPath: '.status.reason', priority: 1 },
      AGE,
    ],
    selectableFields: ISSUER_REF_FIELDS,
    schema: Challenge,
    validate: validateChallenge,
    validateStatus: validateChallengeStatus,
    warnings: noWarnings,
  },
];

/** The definition serving `group`/`kind`, if certwright owns it. */
export function resourceFor(group: string, kind: string): ResourceDefinition | undefined {
  return certwrightResources.find((r) => r.group === group && r.kind === kind);
}
