#!/usr/bin/env node
import { run } from './commands.js';

/**
 * Each command's module registers it when imported. Only the one asked for is loaded: `run` then
 * never loads the embedded API server's modules (tens of MiB a controller would keep resident);
 * help and unknown names load them all, to list them.
 */
const COMMAND_MODULES: Record<string, string> = { apiserver: './apiserver.js', run: './run.js', quickstart: './quickstart.js' };

const args = process.argv.slice(2);
const named = COMMAND_MODULES[args[0] ?? ''];
for (const module of named ? [named] : Object.values(COMMAND_MODULES)) await import(module);
process.exitCode = await run(args, { stdout: process.stdout, stderr: process.stderr, argv0: process.argv[1] ?? 'certwright' });
