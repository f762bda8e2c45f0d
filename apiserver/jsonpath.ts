/**
 * The subset of kubectl's JSONPath that CRD `additionalPrinterColumns` and `selectableFields` use:
 * `.a.b`, `['a.b']`, `[0]`, `[*]`, `.*`, and filters `[?(@.type=="Ready")]` (==, !=, <, >, <=, >=,
 * or bare existence). `{…}` around the expression is accepted.
 */
type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: string[]; op?: string; value?: string | number | boolean };

export class JsonPathError extends Error {}

function parseLiteral(text: string): string | number | boolean {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  const n = Number(t);
  if (t !== '' && !Number.isNaN(n)) return n;
  throw new JsonPathError(`unrecognized literal ${t}`);
}

function parseFilter(body: string): Step {
  const match = /^\s*@((?:\.[A-Za-z0-9_\-/]+)+)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*$/.exec(body);
  if (!match) throw new JsonPathError(`unsupported filter ${body}`);
  const path = match[1]!.slice(1).split('.');
  if (match[2] === undefined) return { kind: 'filter', path };
  return { kind: 'filter', path, op: match[2], value: parseLiteral(match[3]!) };
}

export function parseJsonPath(expression: string): Step[] {
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '.') {
      i++;
      if (text[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      const start = i;
      while (i < text.length && text[i] !== '.' && text[i] !== '[') i++;
      const name = text.slice(start, i);
      if (name) steps.push({ kind: 'field', name });
    } else if (c === '[') {
      const end = text[i + 1] === '?' ? text.indexOf(')]', i) + 1 : text.indexOf(']', i);
      if (end <= i) throw new JsonPathError(`unterminated [ in ${expression}`);
      const inner = text.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1)));
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^(['"]).*\1$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else throw new JsonPathError(`unsupported subscript [${inner}] in ${expression}`);
    } else if (/\s/.test(c)) {
      i++;
    } else {
      throw new JsonPathError(`unexpected ${c} in ${expression}`);
    }
  }
  return steps;
}

function child(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

function compare(left: unknown, op: string, right: string | number | boolean): boolean {
  switch (op) {
    case '==':
      return left === right || (typeof left !== 'object' && String(left) === String(right));
    case '!=':
      return !(left === right || (typeof left !== 'object' && String(left) === String(right)));
    default: {
      if (typeof left !== 'number' || typeof right !== 'number') return false;
      return op === '<' ? left < right : op === '>' ? left > right : op === '<=' ? left <= right : left >= right;
    }
  }
}

function applyStep(value: unknown, step: Step): unknown[] {
  switch (step.kind) {
    case 'field': {
      const v = child(value, step.name);
      return v === undefined ? [] : [v];
    }
    case 'index': {
      if (!Array.isArray(value)) return [];
      const v = value[step.index < 0 ? value.length + step.index : step.index];
      return v === undefined ? [] : [v];
    }
    case 'wildcard':
      if (Array.isArray(value)) return value;
      return value !== null && typeof value === 'object' ? Object.values(value) : [];
    case 'filter': {
      const items = Array.isArray(value) ? value : [];
      return items.filter((item) => {
        let v: unknown = item;
        for (const name of step.path) v = child(v, name);
        if (step.op === undefined) return v !== undefined;
        return v !== undefined && compare(v, step.op, step.value!);
      });
    }
  }
}

/** Every value the path selects in `root`, in document order. */
export function evaluateJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) current = current.flatMap((v) => applyStep(v, step));
  return current;
}

export type JsonPath = Step[];
