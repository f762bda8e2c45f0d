/**
 * One call per kind returns every problem with a write: the CRD schema's (type, enum, required,
 * format) and cert-manager's webhook rules, as Kubernetes field errors. Pass `old` for updates.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FieldError } from '../field-errors.js';
import { Certificate as CertificateSchema } from '../schema/certificate.js';
import { CertificateRequest as CertificateRequestSchema } from '../schema/certificaterequest.js';
import { Challenge as ChallengeSchema } from '../schema/challenge.js';
import { ClusterIssuer as ClusterIssuerSchema, Issuer as IssuerSchema } from '../schema/issuer.js';
import { Order as OrderSchema } from '../schema/order.js';
import type { Certificate, CertificateRequest, Challenge, ClusterIssuer, Issuer, Order } from '../types.js';
import { challengeRules, challengeStatusRules, orderRules, orderStatusRules } from './acme-resources.js';
import { certificateRules } from './certificate.js';
import { certificateRequestRules, certificateRequestStatusRules } from './certificaterequest.js';
import { issuerRules } from './issuer.js';
import { checkSchema, mergeErrors } from './schema-check.js';

type Rules<T> = (object: T, old?: T) => FieldError[];

/** Schema check, then the kind's rules on the schema-sanitised object (and old object). */
function validator<T>(schema: TSchema, rules: Rules<T>): (object: unknown, old?: unknown) => FieldError[] {
  return (object, old) => {
    const checked = checkSchema(schema, object);
    const sanitisedOld = old === undefined ? undefined : (checkSchema(schema, old).value as T);
    return mergeErrors(checked, rules(checked.value as T, sanitisedOld));
  };
}

/** A `status` subresource write: the status schema and the kind's status rules only. */
function statusValidator<T>(schema: TSchema, rules: Rules<T>): (object: unknown, old?: unknown) => FieldError[] {
  const statusOnly = Type.Object({ status: Type.Optional((schema as unknown as { properties: { status: TSchema } }).properties.status) });
  return (object, old) => {
    const checked = checkSchema(statusOnly, object);
    const sanitisedOld = old === undefined ? undefined : (checkSchema(statusOnly, old).value as T);
    return mergeErrors(checked, rules(checked.value as T, sanitisedOld));
  };
}

export const validateCertificate = validator<Certificate>(CertificateSchema, (c) => certificateRules(c));
export const validateCertificateRequest = validator<CertificateRequest>(CertificateRequestSchema, certificateRequestRules);
export const validateIssuer = validator<Issuer>(IssuerSchema, (i) => issuerRules(i));
export const validateClusterIssuer = validator<ClusterIssuer>(ClusterIssuerSchema, (i) => issuerRules(i));
export const validateOrder = validator<Order>(OrderSchema, orderRules);
export const validateChallenge = validator<Challenge>(ChallengeSchema, challengeRules);

export const validateCertificateStatus = statusValidator<Certificate>(CertificateSchema, () => []);
export const validateCertificateRequestStatus = statusValidator<CertificateRequest>(CertificateRequestSchema, certificateRequestStatusRules);
export const validateIssuerStatus = statusValidator<Issuer>(IssuerSchema, () => []);
export const validateClusterIssuerStatus = statusValidator<ClusterIssuer>(ClusterIssuerSchema, () => []);
export const validateOrderStatus = statusValidator<Order>(OrderSchema, orderStatusRules);
export const validateChallengeStatus = statusValidator<Challenge>(ChallengeSchema, challengeStatusRules);
