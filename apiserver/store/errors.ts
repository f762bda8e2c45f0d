/** A watch asked for events that were compacted out of the retained window (HTTP 410 Gone). */
export class ResourceVersionTooOld extends Error {
  override readonly name = 'ResourceVersionTooOld';
}

/** A write's precondition failed (HTTP 409). */
export class Conflict extends Error {
  override readonly name: string = 'Conflict';
}

/** A create found the key already present (HTTP 409, reason AlreadyExists). */
export class AlreadyExists extends Conflict {
  override readonly name = 'AlreadyExists';
}

export class NotFound extends Error {
  override readonly name = 'NotFound';
}

/** The store refuses writes: it was closed, or a WAL write/fsync failed so durability can no longer be promised (HTTP 503). */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
}

/** Another live process holds the data dir. */
export class DataDirInUse extends Error {
  override readonly name = 'DataDirInUse';
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`data dir ${dataDir} is in use by pid ${pid}`);
  }
}

/** A WAL or snapshot file holds damaged data that is not a torn final write; the store will not start on it. */
export class StoreCorruption extends Error {
  override readonly name = 'StoreCorruption';
  constructor(readonly file: string, readonly offset: number, reason: string) {
    super(`${file} is corrupt at offset ${offset}: ${reason}`);
  }
}
