/** Chunks split beyond this many keys, so an insert moves at most this many array slots. */
const MAX_CHUNK = 1024;

/**
 * Keys in ascending order for prefix listing, as a list of sorted chunks (each chunk's keys are
 * all below the next chunk's). One flat sorted array costs a memmove of the whole array per
 * insert, which at 50k keys made up a seventh of the write path's CPU.
 */
export class SortedKeys {
  private readonly chunks: string[][] = [];

  constructor(unsortedKeys: Iterable<string> = []) {
    const sorted = Array.from(unsortedKeys).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let start = 0; start < sorted.length; start += MAX_CHUNK / 2) this.chunks.push(sorted.slice(start, start + MAX_CHUNK / 2));
  }

  insert(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      return;
    }
    const chunkIndex = Math.min(this.chunkFor(key), this.chunks.length - 1);
    const chunk = this.chunks[chunkIndex] as string[];
    const index = firstIndexNotBefore(chunk, key);
    if (chunk[index] === key) return;
    chunk.splice(index, 0, key);
    if (chunk.length > MAX_CHUNK) this.chunks.splice(chunkIndex + 1, 0, chunk.splice(MAX_CHUNK / 2));
  }

  remove(key: string): void {
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex];
    if (!chunk) return;
    const index = firstIndexNotBefore(chunk, key);
    if (chunk[index] !== key) return;
    chunk.splice(index, 1);
    if (chunk.length === 0) this.chunks.splice(chunkIndex, 1);
  }

  /** Keys >= `start`, ascending. */
  *from(start: string): Generator<string> {
    let chunkIndex = this.chunkFor(start);
    let index = chunkIndex < this.chunks.length ? firstIndexNotBefore(this.chunks[chunkIndex] as string[], start) : 0;
    for (; chunkIndex < this.chunks.length; chunkIndex++, index = 0) {
      const chunk = this.chunks[chunkIndex] as string[];
      for (; index < chunk.length; index++) yield chunk[index] as string;
    }
  }

  /** Index of the first chunk whose last key is >= `key` (chunks.length if none). */
  private chunkFor(key: string): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.chunks[middle] as string[];
      if ((chunk[chunk.length - 1] as string) < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function firstIndexNotBefore(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((keys[middle] as string) < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
