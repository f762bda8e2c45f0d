/**
 * A small CEL evaluator for the rule shapes CRDs use in `x-kubernetes-validations`: literals,
 * `self`/`oldSelf`, field and index access, `has()`, `size()`, arithmetic, comparisons, `in`,
 * `&&`/`||`/`!`, `?:`, the list macros (`all`, `exists`, `exists_one`, `map`, `filter`) and the
 * common string functions. A rule using anything else fails to compile with `CelUnsupported`, and
 * the caller skips it rather than guess.
 */
export class CelUnsupported extends Error {}
/** A runtime error, printed like cel-go's (`no such key: x`). */
export class CelEvalError extends Error {}

type Node =
  | { t: 'lit'; v: unknown }
  | { t: 'ident'; name: string }
  | { t: 'select'; operand: Node; field: string }
  | { t: 'index'; operand: Node; index: Node }
  | { t: 'call'; fn: string; target?: Node; args: Node[] }
  | { t: 'list'; items: Node[] }
  | { t: 'map'; entries: [Node, Node][] }
  | { t: 'unary'; op: '!' | '-'; operand: Node }
  | { t: 'binary'; op: string; left: Node; right: Node }
  | { t: 'cond'; test: Node; then: Node; else: Node };

type Token = { k: 'num'; v: number } | { k: 'str'; v: string } | { k: 'id'; v: string } | { k: 'op'; v: string } | { k: 'end' };

const operators = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}'];

function unescape(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '`': '`', '?': '?', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[e] ?? e;
  });
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const raw = (c === 'r' || c === 'R') && (src[i + 1] === '"' || src[i + 1] === "'");
    if (c === '"' || c === "'" || raw) {
      if (raw) i++;
      const q = src[i]!;
      const triple = src.startsWith(q.repeat(3), i);
      const delim = triple ? q.repeat(3) : q;
      let j = i + delim.length;
      let body = '';
      while (j < src.length && !src.startsWith(delim, j)) {
        if (src[j] === '\\' && !raw) {
          body += src[j]! + (src[j + 1] ?? '');
          j += 2;
        } else body += src[j++];
      }
      if (j >= src.length) throw new CelUnsupported('unterminated string');
      tokens.push({ k: 'str', v: raw ? body : unescape(body) });
      i = j + delim.length;
      continue;
    }
    const num = /^(0x[0-9a-fA-F]+|\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)(u|U)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ k: 'num', v: Number(num[1]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      tokens.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = operators.find((o) => src.startsWith(o, i));
    if (!op) throw new CelUnsupported(`unexpected character ${c}`);
    tokens.push({ k: 'op', v: op });
    i += op.length;
  }
  tokens.push({ k: 'end' });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.conditional();
    if (this.peek().k !== 'end') throw new CelUnsupported('unexpected trailing input');
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return (t.k === 'op' && t.v === v) || (v === 'in' && t.k === 'id' && t.v === 'in');
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw new CelUnsupported(`expected ${v}`);
    this.pos++;
  }

  private conditional(): Node {
    const test = this.binary(0);
    if (!this.isOp('?')) return test;
    this.pos++;
    const then = this.conditional();
    this.expect(':');
    return { t: 'cond', test, then, else: this.conditional() };
  }

  private static readonly levels = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>=', 'in'], ['+', '-'], ['*', '/', '%']];

  private binary(level: number): Node {
    if (level === Parser.levels.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const op = Parser.levels[level]!.find((o) => this.isOp(o));
      if (!op) return left;
      this.pos++;
      left = { t: 'binary', op, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Node {
    if (this.isOp('!')) {
      this.pos++;
      return { t: 'unary', op: '!', operand: this.unary() };
    }
    if (this.isOp('-')) {
      this.pos++;
      return { t: 'unary', op: '-', operand: this.unary() };
    }
    return this.member();
  }

  private args(close: string): Node[] {
    const args: Node[] = [];
    if (this.isOp(close)) {
      this.pos++;
      return args;
    }
    for (;;) {
      args.push(this.conditional());
      if (this.isOp(',')) {
        this.pos++;
        if (this.isOp(close)) break;
        continue;
      }
      break;
    }
    this.expect(close);
    return args;
  }

  private member(): Node {
    let node = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const t = this.peek();
        if (t.k !== 'id') throw new CelUnsupported('expected field name');
        this.pos++;
        if (this.isOp('(')) {
          this.pos++;
          node = { t: 'call', fn: t.v, target: node, args: this.args(')') };
        } else node = { t: 'select', operand: node, field: t.v };
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.conditional();
        this.expect(']');
        node = { t: 'index', operand: node, index };
      } else return node;
    }
  }

  private primary(): Node {
    const t = this.peek();
    this.pos++;
    if (t.k === 'num') return { t: 'lit', v: t.v };
    if (t.k === 'str') return { t: 'lit', v: t.v };
    if (t.k === 'id') {
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'null') return { t: 'lit', v: null };
      if (this.isOp('(')) {
        this.pos++;
        return { t: 'call', fn: t.v, args: this.args(')') };
      }
      return { t: 'ident', name: t.v };
    }
    if (t.k === 'op' && t.v === '(') {
      const inner = this.conditional();
      this.expect(')');
      return inner;
    }
    if (t.k === 'op' && t.v === '[') return { t: 'list', items: this.args(']') };
    if (t.k === 'op' && t.v === '{') {
      const entries: [Node, Node][] = [];
      while (!this.isOp('}')) {
        const key = this.conditional();
        this.expect(':');
        entries.push([key, this.conditional()]);
        if (this.isOp(',')) this.pos++;
        else break;
      }
      this.expect('}');
      return { t: 'map', entries };
    }
    throw new CelUnsupported('unexpected token');
  }
}

const macros = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const receiverFunctions = new Set(['size', 'startsWith', 'endsWith', 'contains', 'matches', 'lowerAscii', 'upperAscii', 'trim', 'indexOf', 'lastIndexOf', 'join', 'split', 'replace', 'substring']);
const globalFunctions = new Set(['has', 'size', 'int', 'uint', 'double', 'string', 'bool', 'matches']);

function checkSupported(node: Node, bound: Set<string>): void {
  switch (node.t) {
    case 'lit':
      return;
    case 'ident':
      if (!bound.has(node.name)) throw new CelUnsupported(`undeclared reference to '${node.name}'`);
      return;
    case 'select':
      return checkSupported(node.operand, bound);
    case 'index':
      checkSupported(node.operand, bound);
      return checkSupported(node.index, bound);
    case 'list':
      return node.items.forEach((n) => checkSupported(n, bound));
    case 'map':
      return node.entries.forEach(([k, v]) => (checkSupported(k, bound), checkSupported(v, bound)));
    case 'unary':
      return checkSupported(node.operand, bound);
    case 'binary':
      checkSupported(node.left, bound);
      return checkSupported(node.right, bound);
    case 'cond':
      checkSupported(node.test, bound);
      checkSupported(node.then, bound);
      return checkSupported(node.else, bound);
    case 'call': {
      if (node.target && macros.has(node.fn)) {
        const variable = node.args[0];
        if (!variable || variable.t !== 'ident' || node.args.length < 2) throw new CelUnsupported(`bad macro ${node.fn}`);
        checkSupported(node.target, bound);
        const inner = new Set(bound).add(variable.name);
        node.args.slice(1).forEach((a) => checkSupported(a, inner));
        return;
      }
      if (node.target ? !receiverFunctions.has(node.fn) : !globalFunctions.has(node.fn)) throw new CelUnsupported(`undeclared reference to '${node.fn}'`);
      if (!node.target && node.fn === 'has' && (node.args.length !== 1 || node.args[0]!.t !== 'select')) throw new CelUnsupported('invalid argument to has() macro');
      if (node.target) checkSupported(node.target, bound);
      return node.args.forEach((a) => checkSupported(a, bound));
    }
  }
}

function usesIdent(node: Node, name: string): boolean {
  return JSON.stringify(node).includes(`"t":"ident","name":"${name}"`);
}

export interface CompiledRule {
  ast: Node;
  /** A transition rule: only checked on update, when an old value exists. */
  usesOldSelf: boolean;
}

const compiled = new Map<string, CompiledRule | CelUnsupported>();

/** Parses and checks a rule once; `CelUnsupported` when it uses what this evaluator lacks. */
export function compileRule(rule: string): CompiledRule {
  let entry = compiled.get(rule);
  if (!entry) {
    try {
      const ast = new Parser(tokenize(rule)).parse();
      checkSupported(ast, new Set(['self', 'oldSelf']));
      entry = { ast, usesOldSelf: usesIdent(ast, 'oldSelf') };
    } catch (e) {
      entry = e instanceof CelUnsupported ? e : new CelUnsupported(String(e));
    }
    compiled.set(rule, entry);
  }
  if (entry instanceof CelUnsupported) throw entry;
  return entry;
}

type Scope = Map<string, unknown>;

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function typeOf(v: unknown): string {
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (isMap(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

function noOverload(op: string, ...args: unknown[]): CelEvalError {
  return new CelEvalError(`no such overload: ${op}(${args.map(typeOf).join(', ')})`);
}

function size(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw noOverload('size', v);
}

function compareValues(op: string, a: unknown, b: unknown): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string') || (typeof a === 'boolean' && typeof b === 'boolean'))) throw noOverload(op, a, b);
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (typeof a !== 'number' || typeof b !== 'number') throw noOverload(op, a, b);
  const integers = Number.isInteger(a) && Number.isInteger(b);
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (integers && b === 0) throw new CelEvalError('division by zero');
      return integers ? Math.trunc(a / b) : a / b;
    default:
      if (b === 0) throw new CelEvalError('modulus by zero');
      return a % b;
  }
}

function truthy(v: unknown): boolean {
  if (typeof v !== 'boolean') throw noOverload('logical', v);
  return v;
}

function select(operand: unknown, field: string): unknown {
  if (!isMap(operand)) throw noOverload('select', operand);
  if (!(field in operand) || operand[field] === undefined) throw new CelEvalError(`no such key: ${field}`);
  return operand[field];
}

function evaluate(node: Node, scope: Scope): unknown {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'ident':
      return scope.get(node.name);
    case 'select':
      return select(evaluate(node.operand, scope), node.field);
    case 'index': {
      const operand = evaluate(node.operand, scope);
      const index = evaluate(node.index, scope);
      if (Array.isArray(operand) && typeof index === 'number') {
        if (index < 0 || index >= operand.length) throw new CelEvalError(`index out of bounds: ${index}`);
        return operand[index];
      }
      if (isMap(operand) && typeof index === 'string') return select(operand, index);
      throw noOverload('index', operand, index);
    }
    case 'list':
      return node.items.map((n) => evaluate(n, scope));
    case 'map':
      return Object.fromEntries(node.entries.map(([k, v]) => [String(evaluate(k, scope)), evaluate(v, scope)]));
    case 'unary': {
      const v = evaluate(node.operand, scope);
      if (node.op === '!') return !truthy(v);
      if (typeof v !== 'number') throw noOverload('-_', v);
      return -v;
    }
    case 'cond':
      return truthy(evaluate(node.test, scope)) ? evaluate(node.then, scope) : evaluate(node.else, scope);
    case 'binary':
      return evaluateBinary(node.op, node.left, node.right, scope);
    case 'call':
      return evaluateCall(node, scope);
  }
}

function evaluateBinary(op: string, leftNode: Node, rightNode: Node, scope: Scope): unknown {
  if (op === '&&' || op === '||') {
    // CEL's commutative logic: an error on one side is absorbed when the other side decides.
    const decisive = op === '||';
    let leftError: unknown;
    try {
      if (truthy(evaluate(leftNode, scope)) === decisive) return decisive;
    } catch (e) {
      leftError = e;
    }
    const right = truthy(evaluate(rightNode, scope));
    if (right === decisive) return decisive;
    if (leftError) throw leftError;
    return !decisive;
  }
  const left = evaluate(leftNode, scope);
  const right = evaluate(rightNode, scope);
  switch (op) {
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case 'in':
      if (Array.isArray(right)) return right.some((v) => equal(v, left));
      if (isMap(right)) return typeof left === 'string' && left in right;
      throw noOverload('@in', left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compareValues(op, left, right);
    default:
      return arithmetic(op, left, right);
  }
}

function evaluateMacro(fn: string, target: unknown, variable: string, body: Node[], scope: Scope): unknown {
  const items = Array.isArray(target) ? target : isMap(target) ? Object.keys(target) : undefined;
  if (!items) throw noOverload(fn, target);
  const run = (item: unknown, expr: Node): unknown => evaluate(expr, new Map(scope).set(variable, item));
  switch (fn) {
    case 'all':
      return items.every((i) => truthy(run(i, body[0]!)));
    case 'exists':
      return items.some((i) => truthy(run(i, body[0]!)));
    case 'exists_one':
      return items.filter((i) => truthy(run(i, body[0]!))).length === 1;
    case 'filter':
      return items.filter((i) => truthy(run(i, body[0]!)));
    default:
      return body.length === 2 ? items.filter((i) => truthy(run(i, body[0]!))).map((i) => run(i, body[1]!)) : items.map((i) => run(i, body[0]!));
  }
}

function evaluateCall(node: Extract<Node, { t: 'call' }>, scope: Scope): unknown {
  if (node.target && macros.has(node.fn)) {
    const variable = (node.args[0] as { name: string }).name;
    return evaluateMacro(node.fn, evaluate(node.target, scope), variable, node.args.slice(1), scope);
  }
  if (!node.target && node.fn === 'has') {
    const sel = node.args[0] as Extract<Node, { t: 'select' }>;
    const operand = evaluate(sel.operand, scope);
    if (!isMap(operand)) throw noOverload('has', operand);
    return sel.field in operand && operand[sel.field] !== undefined;
  }
  const args = node.args.map((a) => evaluate(a, scope));
  if (!node.target) {
    const [v] = args;
    switch (node.fn) {
      case 'size':
        return size(v);
      case 'int':
      case 'uint': {
        const n = typeof v === 'string' ? Number(v) : v;
        if (typeof n !== 'number' || Number.isNaN(n)) throw noOverload(node.fn, v);
        return Math.trunc(n);
      }
      case 'double': {
        const n = typeof v === 'string' ? Number(v) : v;
        if (typeof n !== 'number' || Number.isNaN(n)) throw noOverload('double', v);
        return n;
      }
      case 'string':
        return typeof v === 'string' ? v : JSON.stringify(v);
      case 'bool':
        if (v === 'true' || v === true) return true;
        if (v === 'false' || v === false) return false;
        throw noOverload('bool', v);
      default:
        return stringFunction('matches', args[0], args.slice(1));
    }
  }
  const target = evaluate(node.target, scope);
  if (node.fn === 'size') return size(target);
  return stringFunction(node.fn, target, args);
}

function stringFunction(fn: string, target: unknown, args: unknown[]): unknown {
  if (fn === 'join' && Array.isArray(target)) return target.join(typeof args[0] === 'string' ? args[0] : '');
  if (typeof target !== 'string') throw noOverload(fn, target, ...args);
  const arg = args[0];
  const needString = (): string => {
    if (typeof arg !== 'string') throw noOverload(fn, target, ...args);
    return arg;
  };
  switch (fn) {
    case 'startsWith':
      return target.startsWith(needString());
    case 'endsWith':
      return target.endsWith(needString());
    case 'contains':
      return target.includes(needString());
    case 'matches':
      return new RegExp(needString(), 'u').test(target);
    case 'lowerAscii':
      return target.replace(/[A-Z]/g, (c) => c.toLowerCase());
    case 'upperAscii':
      return target.replace(/[a-z]/g, (c) => c.toUpperCase());
    case 'trim':
      return target.trim();
    case 'indexOf':
      return target.indexOf(needString());
    case 'lastIndexOf':
      return target.lastIndexOf(needString());
    case 'split':
      return target.split(needString());
    case 'replace':
      return target.split(needString()).join(String(args[1] ?? ''));
    default: {
      const start = typeof args[0] === 'number' ? args[0] : 0;
      const end = typeof args[1] === 'number' ? args[1] : undefined;
      return [...target].slice(start, end).join('');
    }
  }
}

/** Evaluates a compiled rule; `true` admits. Runtime problems throw `CelEvalError`. */
export function evaluateRule(rule: CompiledRule, self: unknown, oldSelf: unknown): unknown {
  try {
    return evaluate(rule.ast, new Map<string, unknown>([['self', self], ['oldSelf', oldSelf]]));
  } catch (e) {
    if (e instanceof CelEvalError) throw e;
    throw new CelEvalError(e instanceof Error ? e.message : String(e));
  }
}
