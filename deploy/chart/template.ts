/**
 * One description, two outputs: a manifest tree whose leaves may be template expressions becomes
 * either Helm template text (for `charts/certwright/templates/`) or plain YAML with the chart's
 * default values filled in (for `deploy/certwright.yaml`). The chart uses only this subset of
 * Helm's language, so both outputs stay in step by construction:
 *   {{ .Values.a.b }}  {{ .Values.a.b | quote }}  {{ .Release.Namespace }}  {{ .Release.Name }}
 *   {{- toYaml .Values.x | nindent N }}  {{- if .Values.x }} / {{- if not .Values.x }} … {{- end }}
 *   {{ "{{" }} (a literal `{{`, as in Prometheus and Grafana templates).
 */
import { stringify } from 'yaml';

const EXPRESSION = Symbol('template expression');

type Condition = { path: string; negate: boolean };

export type Expression =
  | { [EXPRESSION]: 'value'; path: string }
  | { [EXPRESSION]: 'release'; field: 'Namespace' | 'Name' }
  | { [EXPRESSION]: 'concat'; parts: ReadonlyArray<string | Expression> }
  | { [EXPRESSION]: 'toYaml'; path: string }
  | { [EXPRESSION]: 'merge'; path: string };

/** A chart value, e.g. `value('replicaCount')`. */
export const value = (path: string): Expression => ({ [EXPRESSION]: 'value', path });
export const releaseNamespace: Expression = { [EXPRESSION]: 'release', field: 'Namespace' };
export const releaseName: Expression = { [EXPRESSION]: 'release', field: 'Name' };
/** A string built from text and values: concat`--workers=${value('workers')}`. */
export function concat(strings: TemplateStringsArray, ...expressions: Expression[]): Expression {
  const parts: Array<string | Expression> = [];
  strings.forEach((text, i) => {
    if (text) parts.push(text);
    if (i < expressions.length) parts.push(expressions[i]!);
  });
  return { [EXPRESSION]: 'concat', parts };
}
/** A structured value (object or list) inserted as YAML: a mapping's value, or list items spliced in. */
export const toYaml = (path: string): Expression => ({ [EXPRESSION]: 'toYaml', path });
/** A mapping's entries merged into the mapping it is a value of (the key is ignored): extra labels. */
export const mergeYaml = (path: string): Expression => ({ [EXPRESSION]: 'merge', path });

/** One YAML document of a template file, included only when its condition holds. */
export interface TemplateDocument {
  when?: { path: string; negate?: boolean };
  manifest: object;
}

export interface Release {
  name: string;
  namespace: string;
}

function isExpression(node: unknown): node is Expression {
  return typeof node === 'object' && node !== null && EXPRESSION in node;
}

export function valueAt(values: unknown, path: string): unknown {
  let node = values;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) throw new Error(`chart value ${path} is not defined in the values`);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Go templates' truthiness: false, 0, "", nil and empty collections are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}

const holds = (condition: Condition, values: unknown) => truthy(valueAt(values, condition.path)) !== condition.negate;

// ---- static rendering ----

/** The manifest with the values filled in: what Helm renders with these values. */
export function evaluate(node: unknown, values: unknown, release: Release): unknown {
  if (isExpression(node)) return evaluateExpression(node, values, release);
  if (Array.isArray(node)) {
    return node.flatMap((item) => {
      if (!isExpression(item)) return [evaluate(item, values, release)];
      if (item[EXPRESSION] === 'toYaml') return [...(valueAt(values, item.path) as unknown[] | null ?? [])];
      return [evaluate(item, values, release)];
    });
  }
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(
      Object.entries(node).flatMap(([key, v]): Array<[string, unknown]> =>
        isExpression(v) && v[EXPRESSION] === 'merge' ? Object.entries((valueAt(values, v.path) as object | null) ?? {}) : [[key, evaluate(v, values, release)]],
      ),
    );
  }
  return node;
}

function evaluateExpression(expression: Expression, values: unknown, release: Release): unknown {
  switch (expression[EXPRESSION]) {
    case 'value':
    case 'toYaml':
      return structuredClone(valueAt(values, expression.path));
    case 'release':
      return expression.field === 'Namespace' ? release.namespace : release.name;
    case 'concat':
      return expression.parts.map((part) => (typeof part === 'string' ? part : String(evaluateExpression(part, values, release)))).join('');
    case 'merge':
      throw new Error('mergeYaml() belongs in a mapping');
  }
}

export function renderStatic(documents: readonly TemplateDocument[], values: unknown, release: Release): object[] {
  return documents
    .filter((d) => !d.when || holds({ path: d.when.path, negate: d.when.negate ?? false }, values))
    .map((d) => evaluate(d.manifest, values, release) as object);
}

// ---- Helm template text ----

/** `{{ .Values.x }}`; strings are quoted so YAML keeps them strings ("true", "0123"). */
function inlineAction(expression: Expression, values: unknown, quoteStrings: boolean): string {
  switch (expression[EXPRESSION]) {
    case 'value': {
      const quote = quoteStrings && typeof valueAt(values, expression.path) === 'string';
      return `{{ .Values.${expression.path}${quote ? ' | quote' : ''} }}`;
    }
    case 'release':
      return `{{ .Release.${expression.field} }}`;
    case 'concat':
      return expression.parts.map((part) => (typeof part === 'string' ? part : inlineAction(part, values, false))).join('');
    default:
      throw new Error(`${String(expression[EXPRESSION])} cannot be inlined`);
  }
}

const ifAction = (c: Condition) => `{{- if ${c.negate ? 'not ' : ''}.Values.${c.path} }}`;

/** A structured value spliced in at `indent` (list items or mapping entries), nothing when empty. */
const spliced = (indent: string, path: string) =>
  `${indent}${ifAction({ path, negate: false })}\n${indent}{{- toYaml .Values.${path} | nindent ${indent.length} }}\n${indent}{{- end }}`;

/** Helm template text of one manifest; `values` (the defaults) decide only where strings need quotes. */
export function templateText(manifest: object, values: unknown): string {
  const tokens = new Map<string, Expression>();
  const withTokens = (node: unknown): unknown => {
    if (isExpression(node)) {
      const token = `cwtemplate${tokens.size}x`;
      tokens.set(token, node);
      return token;
    }
    if (Array.isArray(node)) return node.map(withTokens);
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withTokens(v)]));
    return node;
  };
  // Literal `{{` first, so the actions put in below are the only ones.
  let text = stringify(withTokens(manifest), { lineWidth: 0 }).replaceAll('{{', '{{ "{{" }}');
  for (const [token, expression] of tokens) {
    const kind = expression[EXPRESSION];
    if (kind === 'merge') {
      const line = new RegExp(`^( *)[A-Za-z][\\w./-]*: ${token}$`, 'm');
      const m = line.exec(text);
      if (!m) throw new Error('mergeYaml() must be a mapping value, not the first key of a list item');
      text = text.replace(line, spliced(m[1]!, expression.path));
    } else if (kind === 'toYaml') {
      const line = new RegExp(`^( *)(- |([^\\n]+): )${token}$`, 'm');
      const m = line.exec(text);
      if (!m) throw new Error('toYaml() must be a whole list item or mapping value');
      const indent = m[1]!;
      text = text.replace(
        line,
        m[2] === '- ' ? spliced(indent, expression.path) : `${indent}${m[3]}:\n${indent}  {{- toYaml .Values.${expression.path} | nindent ${indent.length + 2} }}`,
      );
    } else {
      text = text.replace(token, inlineAction(expression, values, true));
    }
  }
  return text;
}

/** A template file: its documents, each wrapped in its condition. */
export function templateFile(documents: readonly TemplateDocument[], values: unknown): string {
  return documents
    .map((d) => {
      const body = `---\n${templateText(d.manifest, values)}`;
      return d.when ? `${ifAction({ path: d.when.path, negate: d.when.negate ?? false })}\n${body}{{- end }}\n` : body;
    })
    .join('');
}
