/** Test helper: runs the real openssl (and keytool) on files in a private temp dir. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Workdir {
  readonly dir = mkdtempSync(join(tmpdir(), 'certwright-pki-'));

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, content: string | Uint8Array): string {
    const path = this.path(name);
    writeFileSync(path, content);
    return path;
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  /** openssl's stdout; throws with its stderr when it exits non-zero. */
  openssl(args: string[], input?: string | Uint8Array): string {
    return run('openssl', args, this.dir, input);
  }

  /** Whether openssl exits 0 (for checks that must fail). */
  opensslSucceeds(args: string[]): boolean {
    return spawnSync('openssl', args, { cwd: this.dir, stdio: 'ignore' }).status === 0;
  }

  keytool(args: string[]): string {
    return run(KEYTOOL, args, this.dir);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string, input?: string | Uint8Array): string {
  try {
    return execFileSync(command, args, { cwd, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

export const KEYTOOL = '/usr/bin/keytool';
export const hasKeytool = existsSync(KEYTOOL);
