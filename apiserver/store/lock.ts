import { randomUUID } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDirInUse } from './errors.js';

/**
 * An exclusive claim on a data dir: the file `LOCK` holds `<pid> <token>`, created with O_EXCL.
 * A lock whose pid is dead is stale and taken over. The token tells a stale lock left by an earlier
 * process that happened to have our pid (common in containers, where it is often 1) from one this
 * process holds.
 */
const LOCK_FILE = 'LOCK';
/** Serialises stale-lock takeovers, so two processes cannot both delete a stale lock and each think the fresh one is theirs. */
const TAKEOVER_FILE = 'LOCK.takeover';

/** Tokens of the lock and takeover files this process holds right now. */
const tokensHeldByThisProcess = new Set<string>();

export interface DataDirLock {
  release(): Promise<void>;
}

interface LockHolder {
  pid: number;
  token: string;
}

function parseHolder(text: string): LockHolder | undefined {
  const [pid, token] = text.trim().split(' ');
  const parsedPid = Number(pid);
  return Number.isSafeInteger(parsedPid) && parsedPid > 0 && token ? { pid: parsedPid, token } : undefined;
}

async function readHolder(file: string): Promise<LockHolder | 'absent' | 'unreadable'> {
  try {
    return parseHolder(await readFile(file, 'utf8')) ?? 'unreadable';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.pid === process.pid) return tokensHeldByThisProcess.has(holder.token);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `file` with `content` atomically (written aside, then hard-linked), so no reader sees it empty. */
async function createExclusively(file: string, content: string): Promise<boolean> {
  const aside = `${file}.${randomUUID()}.tmp`;
  await writeFile(aside, content);
  try {
    await link(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(aside, { force: true });
  }
}

/** Removes `LOCK` if it still is the stale (or unreadable) lock `stale`. Only one process at a time does this, under `LOCK.takeover`. */
async function removeStaleLock(dataDir: string, stale: LockHolder | 'unreadable'): Promise<void> {
  const takeoverFile = join(dataDir, TAKEOVER_FILE);
  const token = randomUUID();
  if (!(await createExclusively(takeoverFile, `${process.pid} ${token}\n`))) {
    const takeoverHolder = await readHolder(takeoverFile);
    if (typeof takeoverHolder === 'object' && isAlive(takeoverHolder)) throw new DataDirInUse(dataDir, takeoverHolder.pid);
    // The process taking over died mid-takeover; clear its claim and let the caller retry.
    await rm(takeoverFile, { force: true });
    return;
  }
  tokensHeldByThisProcess.add(token);
  try {
    const lockFile = join(dataDir, LOCK_FILE);
    const current = await readHolder(lockFile);
    const unchanged = stale === 'unreadable' ? current === 'unreadable' : typeof current === 'object' && current.token === stale.token;
    if (unchanged) await rm(lockFile, { force: true });
  } finally {
    tokensHeldByThisProcess.delete(token);
    await rm(takeoverFile, { force: true });
  }
}

/** Claims `dataDir` for this process, or throws DataDirInUse naming the live holder's pid. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockFile = join(dataDir, LOCK_FILE);
  const token = randomUUID();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusively(lockFile, `${process.pid} ${token}\n`)) {
      tokensHeldByThisProcess.add(token);
      return {
        async release() {
          tokensHeldByThisProcess.delete(token);
          const current = await readHolder(lockFile);
          if (typeof current === 'object' && current.token === token) await rm(lockFile, { force: true });
        },
      };
    }
    const holder = await readHolder(lockFile);
    if (holder === 'absent') continue;
    if (holder !== 'unreadable' && isAlive(holder)) throw new DataDirInUse(dataDir, holder.pid);
    await removeStaleLock(dataDir, holder);
  }
  throw new Error(`could not lock data dir ${dataDir}: its lock file keeps changing`);
}
