/** The load hook of module-recorder.ts (it runs on Node's hooks thread): appends each module's URL to the file. */
import { appendFileSync } from 'node:fs';

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

let out: string | undefined;

export function initialize(data: { out: string }): void {
  out = data.out;
}

export async function load(url: string, context: object, nextLoad: (url: string, context: object) => Promise<LoadResult>): Promise<LoadResult> {
  if (out) appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
