#!/usr/bin/env node
import { run } from './commands.js';

// The command's module is imported by run(); help and completion import none (commands.ts).
process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, argv0: process.argv[1] ?? 'certwright' });
