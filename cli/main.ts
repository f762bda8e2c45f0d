#!/usr/bin/env node
import { run } from './commands.js';

/**
 * Each command's module registers it when imported. Only the one asked for is loaded: `run` then
 * never loads the embedded API server's modules (tens of MiB a controller would keep resident);
 * help and unknown names load them all, to list them.
 */
const COMMAND_MODULES: Record<string, string> = {
  apiserver: './apiserver.js',
  run: './run.js',
  quickstart: './quickstart.js',
  status: './status.js',
  renew: './renew.js',
  approve: './approval.js',
  deny: './approval.js',
  inspect: './inspect.js',
  check: './check.js',
  create: './create.js',
  version: './version.js',
  completion: './completion.js',
  'acme-http01-solver': './acme-http01-solver.js',
};

const args = process.argv.slice(2);
const name = args[0] ?? '';
// Completion lists every command, so it loads them all too.
const named = name === 'completion' ? undefined : COMMAND_MODULES[name];
for (const module of named ? [named] : new Set(Object.values(COMMAND_MODULES))) await import(module);
process.exitCode = await run(args, { stdout: process.stdout, stderr: process.stderr, argv0: process.argv[1] ?? 'certwright' });
