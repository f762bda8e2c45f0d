/**
 * What went wrong talking to Vault, as a condition reason and message: each rule recognises one
 * kind of failure (sealed, TLS identity, unreachable, login refused, permission denied, Vault busy),
 * first match wins. Messages carry Vault's own error strings and paths, never credentials.
 */
import { describeError } from '../backend.js';
import { VaultLoginError, VaultUnhealthyError } from './client.js';
import { isTlsVerificationError, VaultConnectionError, VaultResponseError } from './http.js';

export const VAULT_REASONS = {
  verified: 'VaultVerified',
  invalidConfig: 'VaultInvalidConfig',
  secretError: 'VaultSecretError',
  tlsError: 'VaultTLSError',
  unreachable: 'VaultUnreachable',
  sealed: 'VaultSealed',
  notInitialized: 'VaultNotInitialized',
  unavailable: 'VaultUnavailable',
  loginFailed: 'VaultLoginFailed',
  permissionDenied: 'VaultPermissionDenied',
  /** Any other answer Vault gave (cert-manager's one reason for every Vault problem). */
  other: 'VaultError',
} as const;

export interface Diagnosis {
  reason: (typeof VAULT_REASONS)[keyof typeof VAULT_REASONS];
  message: string;
}

type Rule = (err: unknown) => Diagnosis | undefined;

/** The error Vault or the socket gave, looking through a failed login. */
const rootCause = (err: unknown): unknown => (err instanceof VaultLoginError ? err.cause : err);
const loginContext = (err: unknown): string => (err instanceof VaultLoginError ? `${err.method} login at ${err.path}: ` : '');
const statusOf = (err: unknown): number | undefined => {
  const cause = rootCause(err);
  return cause instanceof VaultResponseError ? cause.status : undefined;
};

const rules: Rule[] = [
  function unhealthy(err) {
    if (!(err instanceof VaultUnhealthyError)) return undefined;
    const reason = err.state === 'sealed' ? VAULT_REASONS.sealed : err.state === 'uninitialized' ? VAULT_REASONS.notInitialized : VAULT_REASONS.unavailable;
    return { reason, message: err.message };
  },
  function sealedWhileCalling(err) {
    const cause = rootCause(err);
    return cause instanceof VaultResponseError && cause.status === 503 && cause.errors.some((e) => /sealed/i.test(e))
      ? { reason: VAULT_REASONS.sealed, message: `Vault is sealed: ${loginContext(err)}${cause.message}` }
      : undefined;
  },
  function tlsIdentity(err) {
    const cause = rootCause(err);
    return isTlsVerificationError(cause)
      ? {
          reason: VAULT_REASONS.tlsError,
          message: `TLS connection to Vault not trusted (${cause.code}): ${cause.message}; check spec.vault.caBundle, caBundleSecretRef, serverName and the client certificate`,
        }
      : undefined;
  },
  function unreachable(err) {
    const cause = rootCause(err);
    return cause instanceof VaultConnectionError ? { reason: VAULT_REASONS.unreachable, message: `${loginContext(err)}${cause.message}` } : undefined;
  },
  function busy(err) {
    const status = statusOf(err);
    return status !== undefined && (status === 429 || status >= 500)
      ? { reason: VAULT_REASONS.unavailable, message: `${loginContext(err)}${(rootCause(err) as Error).message}` }
      : undefined;
  },
  function permissionDenied(err) {
    return statusOf(err) === 403
      ? { reason: VAULT_REASONS.permissionDenied, message: `permission denied by Vault: ${loginContext(err)}${(rootCause(err) as Error).message}` }
      : undefined;
  },
  function loginRefused(err) {
    return err instanceof VaultLoginError
      ? { reason: VAULT_REASONS.loginFailed, message: `Vault refused the ${loginContext(err)}${describeError(err.cause)}` }
      : undefined;
  },
  function otherAnswer(err) {
    const cause = rootCause(err);
    return cause instanceof VaultResponseError ? { reason: VAULT_REASONS.other, message: `${loginContext(err)}${cause.message}` } : undefined;
  },
];

/** The diagnosis of `err`, or undefined for an error that is not about Vault (a bug: rethrow it). */
export function diagnose(err: unknown): Diagnosis | undefined {
  for (const rule of rules) {
    const diagnosis = rule(err);
    if (diagnosis) return diagnosis;
  }
  return undefined;
}
