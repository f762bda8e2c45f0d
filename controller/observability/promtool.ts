/**
 * promtool (Debian package `prometheus`) as a test peer: lint an exposition, unit-test alert
 * rules, and turn real scrapes into `promtool test rules` input series.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseExposition, seriesSelector, type ExpositionSample } from './exposition.js';

/**
 * Names promtool's linter flags that we keep on purpose: cert-manager's own names (dashboards and
 * alerts depend on them) and prom-client's standard Node.js gauges (Node.js dashboards do).
 */
export const knownCompatibleLintNames: ReadonlySet<string> = new Set([
  'certmanager_clock_time_seconds',
  'certmanager_clock_time_seconds_gauge',
  'certmanager_controller_sync_call_count',
  'certmanager_controller_sync_error_count',
  'certmanager_http_acme_client_request_count',
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

/** The promtool executable on PATH, if any. */
export function findPromtool(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'promtool');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

/**
 * node:test `skip` value for promtool tests: skip with a reason only on a developer machine
 * without promtool. In CI (which installs it) a missing promtool must fail, not skip.
 */
export function promtoolSkip(): string | false {
  if (findPromtool() || process.env.CI) return false;
  return 'promtool not installed (apt-get install -y prometheus); CI installs it';
}

export interface PromtoolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runPromtool(args: readonly string[], options: { stdin?: string; cwd?: string } = {}): Promise<PromtoolResult> {
  const promtool = findPromtool();
  if (!promtool) {
    return Promise.reject(new Error('promtool not found on PATH: install the Debian package "prometheus" (.ci/run does)'));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

export interface MetricsCheck {
  /** promtool's exit code: 0 clean, 3 lint findings only, 1 unparsable. */
  code: number;
  parsed: boolean;
  lint: { metric: string; problem: string }[];
  output: string;
}

/** `promtool check metrics` on an exposition text. */
export async function checkMetrics(exposition: string): Promise<MetricsCheck> {
  const result = await runPromtool(['check', 'metrics'], { stdin: exposition });
  const output = result.stdout + result.stderr;
  const lint =
    result.code === 3
      ? output
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => {
            const space = line.indexOf(' ');
            return { metric: line.slice(0, space), problem: line.slice(space + 1) };
          })
      : [];
  return { code: result.code, parsed: result.code === 0 || result.code === 3, lint, output };
}

export interface InputSeries {
  series: string;
  values: string;
}

/**
 * Scrapes taken one `interval` apart → promtool `input_series`, one entry per series, its values
 * in scrape order and `_` where a scrape lacked the series. `extraLabels` adds what Prometheus's
 * target labels would (e.g. `{ job: 'cert-manager' }`); `include` picks samples (default: all).
 */
export function scrapesToInputSeries(
  scrapes: readonly string[],
  options: { extraLabels?: Record<string, string>; include?: (sample: ExpositionSample) => boolean } = {},
): InputSeries[] {
  const valuesBySeries = new Map<string, string[]>();
  scrapes.forEach((text, step) => {
    for (const sample of parseExposition(text)) {
      if (options.include && !options.include(sample)) continue;
      const series = seriesSelector(sample.name, { ...sample.labels, ...options.extraLabels });
      let values = valuesBySeries.get(series);
      if (!values) {
        values = Array<string>(scrapes.length).fill('_');
        valuesBySeries.set(series, values);
      }
      values[step] = promtoolValue(sample.value);
    }
  });
  return [...valuesBySeries].map(([series, values]) => ({ series, values: values.join(' ') }));
}

function promtoolValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
