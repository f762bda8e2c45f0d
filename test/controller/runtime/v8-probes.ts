/** Looks into V8 from tests that assert what a cached object costs, without node flags on the command line. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc(), without starting node with --expose-gc. */
export function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Live heap bytes that the values `keep` returns hold (after a full collection before and after). */
export function heapHeldBy(keep: () => unknown[]): number {
  const collect = gcFunction();
  collect();
  const before = process.memoryUsage().heapUsed;
  const kept = keep();
  collect();
  const held = process.memoryUsage().heapUsed - before;
  // Read after the collection, so what was kept is alive through it.
  if (kept.length === 0) throw new Error('heapHeldBy: nothing was kept');
  return held;
}

/** Whether two objects have one hidden class (V8 map): objects that each get their own cost ~0.5 KiB more apiece. */
export function haveSameHiddenClass(a: object, b: object): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return (new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean)(a, b);
}
