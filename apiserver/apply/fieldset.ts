/**
 * A set of field paths as structured-merge-diff keeps them, with the FieldsV1 wire form:
 * `{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`. A path is a list of path elements:
 * `f:<field>`, `k:<json of the list-map keys>`, `v:<json value>` or `i:<index>`.
 */
export type PathElement = string;
export type FieldPath = PathElement[];

class Node {
  member = false;
  readonly children = new Map<PathElement, Node>();
}

export class FieldSet {
  private readonly root = new Node();

  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (node: Node, value: unknown): void => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      for (const [key, child] of Object.entries(value)) {
        if (key === '.') {
          node.member = true;
          continue;
        }
        const next = new Node();
        node.children.set(key, next);
        walk(next, child);
        if (next.children.size === 0) next.member = true;
      }
    };
    walk(set.root, fields);
    return set;
  }

  toFieldsV1(): Record<string, unknown> {
    const encode = (node: Node): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      if (node.member && node.children.size > 0) out['.'] = {};
      for (const key of [...node.children.keys()].sort()) out[key] = encode(node.children.get(key)!);
      return out;
    };
    return encode(this.root);
  }

  insert(path: FieldPath): void {
    let node = this.root;
    for (const element of path) {
      let next = node.children.get(element);
      if (!next) {
        next = new Node();
        node.children.set(element, next);
      }
      node = next;
    }
    node.member = true;
  }

  has(path: FieldPath): boolean {
    const node = this.find(path);
    return node !== undefined && node.member;
  }

  /** Whether the path or anything beneath it is a member. */
  hasPrefix(path: FieldPath): boolean {
    const node = this.find(path);
    return node !== undefined && (node.member || node.children.size > 0);
  }

  get empty(): boolean {
    return this.root.children.size === 0 && !this.root.member;
  }

  /** Every member path, parents before children. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: Node, prefix: FieldPath): void => {
      if (node.member && prefix.length > 0) out.push(prefix);
      for (const [key, child] of node.children) walk(child, [...prefix, key]);
    };
    walk(this.root, []);
    return out;
  }

  union(other: FieldSet): FieldSet {
    const result = FieldSet.fromFieldsV1(this.toFieldsV1());
    for (const p of other.paths()) result.insert(p);
    return result;
  }

  /** This set without the members of `other` (each path alone, not its descendants). */
  difference(other: FieldSet): FieldSet {
    const result = new FieldSet();
    for (const p of this.paths()) if (!other.has(p)) result.insert(p);
    return result;
  }

  intersection(other: FieldSet): FieldSet {
    const result = new FieldSet();
    for (const p of this.paths()) if (other.has(p)) result.insert(p);
    return result;
  }

  /** This set without the members of `other` and everything beneath them. */
  withoutSubtrees(other: FieldSet): FieldSet {
    const removed = other.paths();
    const result = new FieldSet();
    for (const p of this.paths()) if (!removed.some((r) => isPrefixOf(r, p))) result.insert(p);
    return result;
  }

  private find(path: FieldPath): Node | undefined {
    let node: Node | undefined = this.root;
    for (const element of path) {
      node = node.children.get(element);
      if (!node) return undefined;
    }
    return node;
  }
}

/** Whether `path` is `prefix` or lies beneath it. */
export function isPrefixOf(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((e, i) => path[i] === e);
}

/** `.spec.containers[name="x"].image` style text of a path, as conflict messages print it. */
export function pathText(path: FieldPath): string {
  return path
    .map((e) => {
      const body = e.slice(2);
      switch (e[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const keys = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(keys)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
