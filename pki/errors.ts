/**
 * The one error type pki/ throws. Callers branch on `code`; `message` is for people and never
 * carries key material (only sizes, labels, algorithm names and field paths).
 */
export type PkiErrorCode =
  | 'PEM_MALFORMED'
  | 'PEM_TOO_LARGE'
  | 'PEM_UNEXPECTED_TYPE'
  | 'KEY_MALFORMED'
  | 'UNSUPPORTED_KEY'
  | 'KEY_SPEC_INVALID'
  | 'KEY_MISMATCH'
  | 'SIGNATURE_ALGORITHM_INVALID'
  | 'SUBJECT_INVALID'
  | 'SAN_INVALID'
  | 'USAGE_INVALID'
  | 'NAME_CONSTRAINTS_INVALID'
  | 'CSR_INVALID'
  | 'CSR_MALFORMED'
  | 'CSR_SIGNATURE_INVALID'
  | 'CERTIFICATE_MALFORMED'
  | 'TEMPLATE_INVALID'
  | 'CHAIN_MALFORMED'
  | 'CHAIN_INVALID'
  | 'KEYSTORE_INVALID';

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(readonly code: PkiErrorCode, message: string) {
    super(message);
  }
}

export function isPkiError(e: unknown, code?: PkiErrorCode): e is PkiError {
  return e instanceof PkiError && (code === undefined || e.code === code);
}

/**
 * Runs `parse` and turns anything a parsing library throws into a PkiError with `code`, so
 * malformed input never escapes as a TypeError or a library-specific error. The library's own
 * message is dropped: some echo input bytes.
 */
export function parsingAs<T>(code: PkiErrorCode, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof PkiError) throw e;
    throw new PkiError(code, `${what} could not be parsed`);
  }
}
