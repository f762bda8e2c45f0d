import { ResourceVersionTooOld } from './errors.js';
import type { StoredObject } from './stored-object.js';
import type { StoreEventType } from './types.js';

/** A committed change; `stored.resourceVersion` is the change's resourceVersion. */
export interface CommittedEvent {
  readonly type: StoreEventType;
  readonly key: string;
  readonly stored: StoredObject;
}

/** Rough per-event bookkeeping cost beyond its JSON and key, for the byte bound. */
const EVENT_OVERHEAD_BYTES = 64;

function eventBytes(event: CommittedEvent): number {
  return event.stored.json.length + event.key.length + EVENT_OVERHEAD_BYTES;
}

/** The bounded window of recent events that watches from an older resourceVersion are served from. */
export class EventHistory {
  /** Events in commit order from `head` on; slots before `head` are already evicted. */
  private events: CommittedEvent[] = [];
  private head = 0;
  private bytes = 0;

  /** @param compactedThrough highest resourceVersion whose event is not retained (a snapshot's, after a restart). */
  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
    private compactedThrough: number,
  ) {}

  append(event: CommittedEvent): void {
    this.events.push(event);
    this.bytes += eventBytes(event);
    while (this.events.length - this.head > this.maxEvents || (this.bytes > this.maxBytes && this.events.length - this.head > 1)) {
      const evicted = this.events[this.head++] as CommittedEvent;
      this.bytes -= eventBytes(evicted);
      this.compactedThrough = evicted.stored.resourceVersion;
    }
    // Drop evicted slots in bulk so eviction stays O(1) amortized.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  /** Retained events after `fromResourceVersion`, oldest first. */
  since(fromResourceVersion: number): CommittedEvent[] {
    if (fromResourceVersion < this.compactedThrough) {
      throw new ResourceVersionTooOld(
        `resourceVersion ${fromResourceVersion} is too old: events through ${this.compactedThrough} are no longer retained`,
      );
    }
    let low = this.head;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.events[middle] as CommittedEvent).stored.resourceVersion <= fromResourceVersion) low = middle + 1;
      else high = middle;
    }
    return this.events.slice(low);
  }
}
