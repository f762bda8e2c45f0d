/**
 * Decisions about the next-private-key Secret (§2.2 step 2, cert-manager's key-manager): while a
 * Certificate is issuing there must be exactly one such Secret, named in
 * `status.nextPrivateKeySecretName`, holding a decodable key that matches the spec; otherwise the
 * reconciler deletes, creates or waits as told here. Key bytes never appear in any message.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { Certificate } from '../../api/types.js';
import { rotationPolicyFor } from '../../api/defaults.js';
import { isIssuing } from './metadata.js';
import { TLS_PRIVATE_KEY_KEY } from '../../api/well-known.js';
import { privateKeyMatchesSpec } from './request-matches-spec.js';
import { secretDataBytes, secretPrivateKey, type SecretState } from './secret-state.js';

export interface KeyEvent {
  type: 'Normal' | 'Warning';
  reason: 'Generated' | 'Reused' | 'Deleted' | 'DecodeFailed' | 'CannotRegenerateKey';
  message: string;
}

export type NextKeyAction =
  /** Create the next-key Secret with a freshly generated key, or with the key from `spec.secretName`. */
  | { create: 'generate' | 'reuse'; event?: KeyEvent }
  /** Delete these Secrets (an empty list means there is nothing to do). */
  | { delete: string[]; why: string }
  /** This Secret holds the next key; set `status.nextPrivateKeySecretName` to it if unset. */
  | { use: string }
  /** Nothing can be done until the user acts. */
  | { wait: 'CannotRegenerateKey'; event: KeyEvent };

export interface NextKeyInput {
  certificate: Certificate;
  /** Secrets labelled `cert-manager.io/next-private-key=true` and controlled by the Certificate. */
  candidates: readonly V1Secret[];
  /** The Certificate's target Secret (`spec.secretName`), for `rotationPolicy: Never`. */
  currentSecret: SecretState;
}

const nameOf = (secret: V1Secret) => secret.metadata?.name ?? '';

/** Why a lone candidate cannot be used, or undefined when it holds a good key. */
function candidateProblem(candidate: V1Secret, certificate: Certificate): string | undefined {
  const expected = certificate.status?.nextPrivateKeySecretName;
  if (expected && expected !== nameOf(candidate)) return 'its name does not match status.nextPrivateKeySecretName';
  const bytes = secretDataBytes(candidate, TLS_PRIVATE_KEY_KEY);
  if (!bytes || bytes.length === 0) return 'it contains no private key';
  let violations: string[];
  try {
    violations = privateKeyMatchesSpec(secretPrivateKey(candidate, bytes.toString('utf8')), certificate);
  } catch {
    return 'its private key cannot be decoded';
  }
  return violations.length > 0 ? `its private key does not match ${violations.join(', ')}` : undefined;
}

/** A new next-key Secret under `rotationPolicy: Never`: reuse the Secret's key when it fits the spec. */
function createForRotationNever(certificate: Certificate, current: SecretState): NextKeyAction {
  if (!current.exists || current.privateKey.status === 'missing' || current.privateKey.status === 'empty') return { create: 'generate' };
  const secretName = certificate.spec.secretName;
  if (current.privateKey.status === 'undecodable') {
    return {
      create: 'generate',
      event: { type: 'Warning', reason: 'DecodeFailed', message: `Failed to decode private key stored in Secret ${JSON.stringify(secretName)} - generating new key` },
    };
  }
  const violations = privateKeyMatchesSpec(current.privateKey.key, certificate);
  if (violations.length === 0) return { create: 'reuse' };
  return {
    wait: 'CannotRegenerateKey',
    event: {
      type: 'Warning',
      reason: 'CannotRegenerateKey',
      message:
        `User intervention required: existing private key in Secret ${JSON.stringify(secretName)} does not match requirements on Certificate resource, ` +
        `mismatching fields: [${violations.join(' ')}], but certwright cannot create new private key as the Certificate's .spec.privateKey.rotationPolicy field is set to "Never". ` +
        'The private key will not be rotated. For the Certificate to become Ready, you must either change the private key or change the rotation policy.',
    },
  };
}

export function nextKeyAction({ certificate, candidates, currentSecret }: NextKeyInput): NextKeyAction {
  const names = candidates.map(nameOf);
  if (!isIssuing(certificate)) return { delete: names, why: 'the Certificate is not issuing' };
  if (candidates.length > 1) {
    // Keep only the Secret the status names: a CertificateRequest may already carry its key.
    const keep = certificate.status?.nextPrivateKeySecretName;
    return { delete: names.filter((n) => n !== keep), why: 'there are several next private key Secrets' };
  }
  const [candidate] = candidates;
  if (!candidate) {
    return rotationPolicyFor(certificate.spec) === 'Never' ? createForRotationNever(certificate, currentSecret) : { create: 'generate' };
  }
  const problem = candidateProblem(candidate, certificate);
  if (problem) return { delete: [nameOf(candidate)], why: problem };
  return { use: nameOf(candidate) };
}
