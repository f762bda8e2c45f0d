/**
 * A renderer for the part of Helm's template language the chart uses, written from Go's
 * text/template rules and independent of the generator that wrote the templates, so rendering the
 * chart text with values.yaml checks the template text itself: whitespace trimming (`{{-`, `-}}`),
 * comments, `.Values.x.y`, `.Release.Name/Namespace`, string literals, `if`/`if not`/`else`/`end`,
 * and the pipeline functions `quote`, `toYaml` and `nindent`. Anything else is an error, so the
 * chart cannot drift into constructs this check does not understand.
 */
import { stringify } from 'yaml';

export interface RenderContext {
  Values: unknown;
  Release: { Name: string; Namespace: string };
}

type Node = { text: string } | { action: string } | { if: string; then: Node[]; else: Node[] };

/** Splits into text and actions, applying `{{-` / `-}}` trimming as text/template does. */
function lex(template: string): Array<{ text: string } | { action: string }> {
  const tokens: Array<{ text: string } | { action: string }> = [];
  let rest = template;
  let trimNext = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    let text = open === -1 ? rest : rest.slice(0, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      tokens.push({ text });
      break;
    }
    const trimBefore = rest.startsWith('{{- ', open);
    if (trimBefore) text = text.replace(/\s+$/, '');
    tokens.push({ text });
    const close = findClose(rest, open + 2);
    let action = rest.slice(open + (trimBefore ? 4 : 2), close);
    trimNext = action.endsWith(' -');
    if (trimNext) action = action.slice(0, -2);
    tokens.push({ action: action.trim() });
    rest = rest.slice(close + 2);
  }
  return tokens;
}

/** The `}}` closing an action, skipping string literals (`{{ "{{" }}`). */
function findClose(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (text.startsWith('}}', i)) return i;
  }
  throw new Error(`unclosed action at ${from}`);
}

function parse(tokens: Array<{ text: string } | { action: string }>): Node[] {
  let i = 0;
  const block = (inside: boolean): { nodes: Node[]; ended: 'end' | 'else' | 'eof' } => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const token = tokens[i++]!;
      if ('text' in token) {
        nodes.push(token);
        continue;
      }
      const action = token.action;
      if (action.startsWith('/*')) continue;
      if (action === 'end' || action === 'else') {
        if (!inside) throw new Error(`unexpected {{ ${action} }}`);
        return { nodes, ended: action };
      }
      const m = /^if (.+)$/.exec(action);
      if (m) {
        const then = block(true);
        const otherwise = then.ended === 'else' ? block(true) : { nodes: [], ended: 'end' as const };
        if (otherwise.ended !== 'end') throw new Error(`{{ if ${m[1]} }} without {{ end }}`);
        nodes.push({ if: m[1]!, then: then.nodes, else: otherwise.nodes });
        continue;
      }
      nodes.push(token);
    }
    if (inside) throw new Error('missing {{ end }}');
    return { nodes, ended: 'eof' };
  };
  return block(false).nodes;
}

function lookup(path: string, context: RenderContext): unknown {
  const m = /^\.(Values|Release)((?:\.[A-Za-z0-9_]+)*)$/.exec(path);
  if (!m) throw new Error(`unsupported operand ${path}`);
  let node: unknown = m[1] === 'Values' ? context.Values : context.Release;
  for (const key of m[2]!.split('.').filter(Boolean)) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

function operand(text: string, context: RenderContext): unknown {
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return JSON.parse(text);
  return lookup(text, context);
}

const truthy = (v: unknown) => (Array.isArray(v) ? v.length > 0 : typeof v === 'object' && v !== null ? Object.keys(v).length > 0 : Boolean(v));

function printed(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  if (typeof v === 'object') throw new Error(`printing a map or list: use toYaml (${JSON.stringify(v)})`);
  return String(v);
}

function evaluatePipeline(action: string, context: RenderContext): unknown {
  const stages = action.split(' | ').map((s) => s.trim());
  const first = stages[0]!.split(/\s+/);
  let result: unknown = first[0] === 'toYaml' ? stringify(operand(first[1]!, context)).trimEnd() : operand(stages[0]!, context);
  for (const stage of stages.slice(1)) {
    const [fn, ...args] = stage.split(/\s+/);
    if (fn === 'quote') result = JSON.stringify(printed(result));
    else if (fn === 'nindent') {
      const pad = ' '.repeat(Number(args[0]));
      result = `\n${String(result).split('\n').map((line) => pad + line).join('\n')}`;
    } else throw new Error(`unsupported function ${fn}`);
  }
  return result;
}

function renderNodes(nodes: Node[], context: RenderContext): string {
  return nodes
    .map((node) => {
      if ('text' in node) return node.text;
      if ('if' in node) {
        const negated = node.if.startsWith('not ');
        const holds = truthy(operand(negated ? node.if.slice(4) : node.if, context)) !== negated;
        return renderNodes(holds ? node.then : node.else, context);
      }
      return printed(evaluatePipeline(node.action, context));
    })
    .join('');
}

export function renderTemplate(template: string, context: RenderContext): string {
  return renderNodes(parse(lex(template)), context);
}
