/**
 * The two cron libraries, loaded on the first cron expression: validation checks `spec.renewal`
 * windows with both, the renewal time is computed with cron-parser. Together they are ~9 MiB of RSS
 * (cron-parser brings luxon), which a controller whose Certificates set no renewal windows — most —
 * never needs. Both ship CommonJS, so a synchronous require keeps their callers synchronous.
 */
import { createRequire } from 'node:module';
import type { CronExpressionParser as CronExpressionParserType } from 'cron-parser';
import type { validateDetailed as ValidateDetailed } from 'node-cron';

const requireCommonJs = createRequire(import.meta.url);

/** cron-parser's `CronExpressionParser`. */
export function cronExpressionParser(): typeof CronExpressionParserType {
  return (requireCommonJs('cron-parser') as { CronExpressionParser: typeof CronExpressionParserType }).CronExpressionParser;
}

/** node-cron's `validateDetailed`. */
export function validateCronDetailed(expression: string): ReturnType<typeof ValidateDetailed> {
  return (requireCommonJs('node-cron') as { validateDetailed: typeof ValidateDetailed }).validateDetailed(expression);
}

/** robfig/cron (cert-manager) accepts repeated list items such as `2,2`; cron-parser rejects them. */
export function cronForParser(cron: string): string {
  return cron
    .trim()
    .split(/\s+/)
    .map((field) => [...new Set(field.split(','))].join(','))
    .join(' ');
}
