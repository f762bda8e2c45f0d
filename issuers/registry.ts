/**
 * The one place issuer types are registered. A backend is chosen by which member of the issuer's
 * spec is set (`ca`, `selfSigned`, …); a type nobody registered is simply not handled here, so
 * another controller (or a later certwright) can own it. A type may be registered by a loader, so
 * that its modules (Vault's client and validation, several MiB) are imported only once an issuer
 * of that type is reconciled.
 */
import { ISSUER_TYPES } from '../api/well-known.js';
import type { IssuerSpec } from '../api/types.js';
import type { GenericIssuer, IssuerBackend } from './backend.js';
import { caIssuer } from './ca.js';
import { selfSignedIssuer } from './selfsigned.js';

/** The issuer type an IssuerSpec configures, or undefined when none or several are set. */
export function issuerTypeOf(spec: IssuerSpec | undefined): string | undefined {
  const configured = ISSUER_TYPES.filter((type) => spec?.[type] !== undefined && spec[type] !== null);
  return configured.length === 1 ? configured[0] : undefined;
}

/** An issuer type whose backend is made on first use. */
export interface LazyIssuerBackend<B extends IssuerBackend = IssuerBackend> {
  readonly type: string;
  /** The backend, made (its modules imported) by the first call. */
  load(): Promise<B>;
  /** The backend if a call to `load` has made it. */
  readonly loaded: B | undefined;
}

/** `type`'s backend from `create`, called once, when first needed. */
export function lazyIssuerBackend<B extends IssuerBackend>(type: string, create: () => Promise<B>): LazyIssuerBackend<B> {
  let loading: Promise<B> | undefined;
  let loaded: B | undefined;
  return {
    type,
    load: () =>
      (loading ??= create().then((backend) => {
        if (backend.type !== type) throw new Error(`the backend loaded for issuer type "${type}" is for "${backend.type}"`);
        return (loaded = backend);
      })),
    get loaded() {
      return loaded;
    },
  };
}

const isLazy = (entry: IssuerBackend | LazyIssuerBackend): entry is LazyIssuerBackend => 'load' in entry;

export class IssuerRegistry {
  #entries = new Map<string, IssuerBackend | LazyIssuerBackend>();

  constructor(backends: ReadonlyArray<IssuerBackend | LazyIssuerBackend> = []) {
    for (const backend of backends) this.register(backend);
  }

  register(backend: IssuerBackend | LazyIssuerBackend): void {
    if (this.#entries.has(backend.type)) throw new Error(`an issuer backend for type "${backend.type}" is already registered`);
    this.#entries.set(backend.type, backend);
  }

  /** Whether the issuer's configured type is registered (nothing is loaded to tell). */
  handles(issuer: GenericIssuer): boolean {
    const type = issuerTypeOf(issuer.spec);
    return type !== undefined && this.#entries.has(type);
  }

  /** The backend for the issuer's configured type, if that type is registered; loaded on first use. */
  async backendFor(issuer: GenericIssuer): Promise<IssuerBackend | undefined> {
    const type = issuerTypeOf(issuer.spec);
    const entry = type === undefined ? undefined : this.#entries.get(type);
    return entry && isLazy(entry) ? entry.load() : entry;
  }

  get types(): string[] {
    return [...this.#entries.keys()];
  }
}

/** The issuer types certwright signs with itself. */
export function builtinIssuers(): IssuerRegistry {
  return new IssuerRegistry([selfSignedIssuer, caIssuer]);
}
