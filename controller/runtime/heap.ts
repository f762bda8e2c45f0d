/**
 * How far V8 lets the heap grow before its next full collection. By default the old generation
 * grows to 2–4× what survived the last full GC, sized for throughput; a controller's work leaves
 * mostly short-lived garbage (watch events and API answers decoded, then replaced), so under a
 * burst (10k Certificates at once) its RSS was ~2.5× its live objects. At 1.5× the lifecycle
 * benchmark measured ~100 MiB less RSS at 10k for about 5 % more CPU (docs/performance.md,
 * lifecycle). V8 reads this flag at every limit it computes, so setting it at run time takes effect.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Limits old-generation growth for this process (`certwright run`). */
export function limitHeapGrowth(percent: number = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
