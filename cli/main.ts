#!/usr/bin/env node
import { run } from './commands.js';
import './apiserver.js';
import './run.js';
import './quickstart.js';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, argv0: process.argv[1] ?? 'certwright' });
