/**
 * The one place issuer types are registered. A backend is chosen by which member of the issuer's
 * spec is set (`ca`, `selfSigned`, …); a type nobody registered is simply not handled here, so
 * another controller (or a later certwright) can own it.
 */
import { ISSUER_TYPES } from '../api/schema/issuer.js';
import type { IssuerSpec } from '../api/types.js';
import type { GenericIssuer, IssuerBackend } from './backend.js';
import { caIssuer } from './ca.js';
import { selfSignedIssuer } from './selfsigned.js';

/** The issuer type an IssuerSpec configures, or undefined when none or several are set. */
export function issuerTypeOf(spec: IssuerSpec | undefined): string | undefined {
  const configured = ISSUER_TYPES.filter((type) => spec?.[type] !== undefined && spec[type] !== null);
  return configured.length === 1 ? configured[0] : undefined;
}

export class IssuerRegistry {
  #backends = new Map<string, IssuerBackend>();

  constructor(backends: readonly IssuerBackend[] = []) {
    for (const backend of backends) this.register(backend);
  }

  register(backend: IssuerBackend): void {
    if (this.#backends.has(backend.type)) throw new Error(`an issuer backend for type "${backend.type}" is already registered`);
    this.#backends.set(backend.type, backend);
  }

  /** The backend for the issuer's configured type, if that type is registered. */
  backendFor(issuer: GenericIssuer): IssuerBackend | undefined {
    const type = issuerTypeOf(issuer.spec);
    return type === undefined ? undefined : this.#backends.get(type);
  }

  get types(): string[] {
    return [...this.#backends.keys()];
  }
}

/** The issuer types certwright signs with itself. */
export function builtinIssuers(): IssuerRegistry {
  return new IssuerRegistry([selfSignedIssuer, caIssuer]);
}
