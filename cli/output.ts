/**
 * How CLI commands print: aligned tables and colours for people (colours only on a terminal, and
 * never with NO_COLOR), JSON or YAML for machines, and a progress line while waiting.
 */
import { stringify } from 'yaml';
import { UsageError } from './usage.js';

export const OUTPUT_FORMATS = ['json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `-o json|yaml`, or undefined for the human format. */
export function outputFormat(text: string | undefined): OutputFormat | undefined {
  if (text === undefined) return undefined;
  if ((OUTPUT_FORMATS as readonly string[]).includes(text)) return text as OutputFormat;
  throw new UsageError(`--output must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(text)}`);
}

/** `value` as JSON (indented, newline-terminated) or YAML. */
export function formatStructured(value: unknown, format: OutputFormat): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;

/** Fixed-width columns, like kubectl's tables; cells may carry colour codes. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (cell: string, i: number) => cell + ' '.repeat(widths[i]! - visibleLength(cell));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, i))).join('  ');
  return [line(header), ...rows.map(line)].map((l) => l.trimEnd()).join('\n');
}

export type Tone = 'good' | 'bad' | 'warn' | 'dim' | 'bold';

const TONE_CODES: Record<Tone, string> = { good: '32', bad: '31', warn: '33', dim: '2', bold: '1' };

export type Paint = (tone: Tone, text: string) => string;

/** Whether `stream` is a terminal that should get colours (NO_COLOR turns them off, FORCE_COLOR on). */
export function wantsColour(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export function painter(enabled: boolean): Paint {
  return enabled ? (tone, text) => `\x1b[${TONE_CODES[tone]}m${text}\x1b[0m` : (_tone, text) => text;
}

export interface Progress {
  /** Replaces the progress line (on a terminal; elsewhere nothing is shown). */
  update(text: string): void;
  /** Clears the line. */
  done(): void;
}

/** A single rewritten status line on a terminal `stream`; silent elsewhere so logs stay clean. */
export function progressLine(stream: NodeJS.WritableStream): Progress {
  if ((stream as { isTTY?: boolean }).isTTY !== true) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update(text) {
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** "3h ago" / "in 2d": a coarse age for people, from ms since the epoch. */
export function relativeTime(atMs: number, nowMs: number): string {
  const delta = atMs - nowMs;
  const abs = Math.abs(delta);
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const [unit, size] = units.find(([, ms]) => abs >= ms) ?? ['s', 1000];
  const amount = Math.floor(abs / size);
  return delta < 0 ? `${amount}${unit} ago` : `in ${amount}${unit}`;
}
