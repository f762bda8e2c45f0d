import type { FieldError } from '../../api/field-errors.js';
import { deepEqual, isObject } from '../json.js';

/** `spec.items[2].name`, `data[tls.crt]` → its steps. */
function steps(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(/^\d+$/.test(m[2]!) ? Number(m[2]) : m[2]!);
  }
  return out;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let node = root;
  for (const step of path) {
    if (typeof step === 'number' && Array.isArray(node)) node = node[step];
    else if (isObject(node)) node = node[String(step)];
    else return undefined;
  }
  return node;
}

/**
 * Validation ratcheting (kube's CRDValidationRatcheting): on update, schema and rule errors about
 * a value the write did not change are dropped, so objects stored before a stricter CRD can still
 * be updated elsewhere (a controller's status writes, for one). A missing required field counts as
 * unchanged when its parent is.
 */
export function ratchet(errors: FieldError[], object: unknown, old: unknown): FieldError[] {
  if (old === undefined) return errors;
  return errors.filter((e) => {
    let path = steps(e.field);
    if (e.type === 'FieldValueRequired') path = path.slice(0, -1);
    return !deepEqual(valueAt(object, path), valueAt(old, path));
  });
}
