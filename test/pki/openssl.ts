/** Test helper: runs the real openssl (and keytool) on files in a private temp dir. */
import { spawnSync } from 'node:child_process';
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

  /** openssl's stderr then stdout (some reports, like pkcs12 -info, go to stderr); throws when it exits non-zero. */
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
  const result = spawnSync(command, args, { cwd, input, encoding: 'utf8' });
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${output}`);
  return output;
}

export const KEYTOOL = '/usr/bin/keytool';
export const hasKeytool = existsSync(KEYTOOL);
