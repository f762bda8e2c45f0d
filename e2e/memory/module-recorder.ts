/**
 * `node --import <this module's URL>?out=FILE …` records, one URL a line in FILE, every module the
 * process loads: ES modules through a load hook, CommonJS ones (required inside packages such as
 * acme-client, which the hook does not see) from the require cache when the process exits.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const out = new URL(import.meta.url).searchParams.get('out');
if (out) {
  register(new URL('./module-recorder-hooks.js', import.meta.url), { data: { out } });
  const requireCache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(out, Object.keys(requireCache).map((path) => `${pathToFileURL(path).href}\n`).join('')));
}
