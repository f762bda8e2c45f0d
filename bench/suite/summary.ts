/** Several runs of the benchmarks reduced to one judged line per metric, and how that is printed. */
import { quantile, renderTable } from '../lifecycle/report.js';
import type { GoalId, Metric } from './metrics.js';

export interface SummaryLine {
  id: GoalId;
  step: string;
  what: string;
  target: string;
  unit: string;
  /** One per run that measured it, in run order. */
  values: number[];
  /** Nearest-rank median of `values` (an actual run's value); NaN when no run measured it. */
  median: number;
  /** null: not judged (a figure, another scale) or not measured. */
  met: boolean | null;
  note?: string;
}

/** Median of what each run measured (lower middle for an even count: a value some run saw). */
export function medianOf(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/**
 * One line per (step, metric) over every run of `step`: its values, their median, judged by the
 * metric's own check. A metric's first appearance fixes its place.
 */
export function summarize(step: string, runs: readonly Metric[][]): SummaryLine[] {
  const byWhat = new Map<string, { metric: Metric; values: number[]; notes: string[] }>();
  for (const metrics of runs) {
    for (const m of metrics) {
      const entry = byWhat.get(m.what) ?? { metric: m, values: [], notes: [] };
      if (Number.isFinite(m.value)) entry.values.push(m.value);
      if (m.note && !entry.notes.includes(m.note)) entry.notes.push(m.note);
      byWhat.set(m.what, entry);
    }
  }
  return [...byWhat.values()].map(({ metric, values, notes }) => {
    const median = medianOf(values);
    return {
      id: metric.id,
      step,
      what: metric.what,
      target: metric.target,
      unit: metric.unit,
      values,
      median,
      met: metric.met && Number.isFinite(median) ? metric.met(median) : null,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    };
  });
}

/** A step whose run failed: its goals, unmeasured. */
export function failedLine(step: string, id: GoalId, why: string): SummaryLine {
  return { id, step, what: `${step} did not finish`, target: '', unit: '', values: [], median: NaN, met: false, note: why };
}

function measured(line: SummaryLine): string {
  if (!Number.isFinite(line.median)) return line.note ?? 'not measured';
  const unit = line.unit === '' ? '' : ['%', '×'].includes(line.unit) ? line.unit : ` ${line.unit}`;
  const runs = line.values.length > 1 ? ` (runs: ${line.values.join(', ')})` : '';
  return `${line.median}${unit}${runs}${line.note ? `; ${line.note}` : ''}`;
}

const mark = (met: boolean | null) => (met === null ? '' : met ? 'met' : 'MISSED');

export function renderSummary(lines: readonly SummaryLine[]): string {
  return renderTable(
    ['id', 'measured', 'goal', 'median', 'met?'],
    lines.map((l) => [l.id, l.what, l.target, measured(l), mark(l.met)]),
  );
}
