/**
 * Reading the Prometheus text exposition format (version 0.0.4) back into samples, for tests and
 * for turning a real scrape into promtool input series.
 */

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const labelPair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

function unescapeLabelValue(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Exposition value text → number; prom-client writes NaN as "Nan". */
function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
    case 'Nan':
      return NaN;
  }
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`not a sample value: "${text}"`);
  return value;
}

function parseLabels(text: string, lineNumber: number): Record<string, string> {
  const labels: Record<string, string> = {};
  labelPair.lastIndex = 0;
  while (labelPair.lastIndex < text.length) {
    const start = labelPair.lastIndex;
    const m = labelPair.exec(text);
    if (!m) throw new Error(`exposition line ${lineNumber}: malformed labels at "${text.slice(start)}"`);
    labels[m[1]!] = unescapeLabelValue(m[2]!);
  }
  return labels;
}

/** All samples in an exposition, in order; comments and blank lines are skipped. */
export function parseExposition(text: string): ExpositionSample[] {
  const samples: ExpositionSample[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = sampleLine.exec(line);
    if (!m) throw new Error(`exposition line ${i + 1}: not a sample: "${line}"`);
    let value: number;
    try {
      value = parseValue(m[3]!);
    } catch (e) {
      throw new Error(`exposition line ${i + 1}: ${(e as Error).message}`);
    }
    samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2], i + 1) : {}, value });
  });
  return samples;
}

/** A PromQL series selector naming exactly this series, e.g. `up{job="x"}`. */
export function seriesSelector(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return pairs.length ? `${name}{${pairs.join(',')}}` : name;
}
