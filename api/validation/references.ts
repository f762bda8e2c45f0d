/** Rules for the reference types shared by several kinds: issuer references and Secret keys. */
import { CERT_MANAGER_GROUP } from '../defaults.js';
import { parseDuration } from '../duration.js';
import { invalid, required, type FieldError } from '../field-errors.js';
import type { IssuerReference, SecretKeySelector } from '../types.js';

/**
 * `issuerRef.name` is required; within cert-manager's own group the kind must be Issuer or
 * ClusterIssuer (with a hint when the group was probably forgotten). Other groups are external
 * issuers whose kinds nothing here can know.
 */
export function validateIssuerRef(ref: IssuerReference | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!ref?.name) errors.push(required(`${field}.name`, 'must be specified'));
  const group = ref?.group ?? '';
  const kind = ref?.kind ?? '';
  if ((group === '' || group === CERT_MANAGER_GROUP) && kind !== '' && kind !== 'Issuer' && kind !== 'ClusterIssuer') {
    const hint = group === '' ? ` (did you forget to set ${field}.group?)` : '';
    errors.push(invalid(`${field}.kind`, kind, `must be one of Issuer or ClusterIssuer${hint}`));
  }
  return errors;
}

/** A Secret key selector whose `name` and `key` must both be given. */
export function validateSecretKeySelector(ref: SecretKeySelector | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!ref?.name) errors.push(required(`${field}.name`, 'secret name is required'));
  if (!ref?.key) errors.push(required(`${field}.key`, 'secret key is required'));
  return errors;
}

/** A Go duration field: milliseconds, or an Invalid error carrying Go's parse message. */
export function parseDurationField(
  text: string | undefined,
  field: string,
  errors: FieldError[],
): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (e) {
    errors.push(invalid(field, text, (e as Error).message));
    return undefined;
  }
}
