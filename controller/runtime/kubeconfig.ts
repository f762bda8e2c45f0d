/**
 * client-node's KubeConfig (kubeconfig files, in-cluster config, exec/token-file/OIDC auth and TLS
 * options, unchanged) without the rest of client-node.
 *
 * Why: the package has no `exports` map and one entry point, and `dist/config.js` (KubeConfig)
 * imports `./gen/index.js`, the generated API classes and models of every Kubernetes group, for
 * two names used only by `makeApiClient`. Importing that graph costs ~60 MiB RSS, ~20 MiB of V8
 * heap and ~0.3 s (measured with `node --expose-gc`, `process.memoryUsage()` after `gc()`), in a
 * controller that only needs credentials and TLS material.
 *
 * So config.js's own source is evaluated as a `data:` module in which that one import names
 * `kubeconfig-gen.js` (the two names, from the small generated modules that define them) and every
 * other relative import names its file in the package by absolute URL: the code is client-node's,
 * and the modules it shares with the package are the package's instances. A module resolve hook
 * (`module.register`) did the same before, but on Node 20 it runs a hooks thread with its own V8
 * isolate for the life of the process (~11 MiB RSS).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';

const GENERATED_INDEX = './gen/index.js';
const NARROW_GENERATED = new URL('./kubeconfig-gen.js', import.meta.url).href;

/** A static `import … from '…'` / `export … from '…'`; its specifier is the third group. */
const STATIC_IMPORT = /(^\s*(?:import|export)\b[^'";]*?\sfrom\s+)(['"])([^'"]+)\2/gm;

/**
 * config.js's source with every import named by absolute URL (a `data:` module resolves no other
 * kind), `./gen/index.js` as the narrow module; undefined when the source has no such import
 * (another client-node layout) or a package import cannot be located (`resolvePackage` says so).
 */
export function narrowKubeConfigSource(source: string, moduleUrl: string, resolvePackage: (specifier: string) => string | undefined): string | undefined {
  let redirected = false;
  let unresolved = false;
  const rewritten = source.replace(STATIC_IMPORT, (statement: string, head: string, quote: string, specifier: string) => {
    if (specifier.startsWith('node:')) return statement;
    let target: string | undefined;
    if (specifier === GENERATED_INDEX) {
      redirected = true;
      target = NARROW_GENERATED;
    } else {
      target = specifier.startsWith('.') ? new URL(specifier, moduleUrl).href : resolvePackage(specifier);
    }
    unresolved ||= target === undefined;
    return `${head}${quote}${target ?? specifier}${quote}`;
  });
  return redirected && !unresolved ? rewritten : undefined;
}

/** `/…/node_modules/name` (or `@scope/name`) of a file inside a package. */
function packageDirectory(path: string): string {
  const marker = `${sep}node_modules${sep}`;
  const start = path.lastIndexOf(marker) + marker.length;
  const parts = path.slice(start).split(sep);
  return path.slice(0, start) + parts.slice(0, parts[0]!.startsWith('@') ? 2 : 1).join(sep);
}

/**
 * The URL `import` gives `specifier` (ESM conditions), when that is the package config.js itself
 * would get: Node 20 resolves imports only from the importing module, so the import is resolved
 * from here and checked against config.js's own lookup (CommonJS conditions, same directories).
 */
function packageResolver(configPath: string): (specifier: string) => string | undefined {
  const fromConfig = createRequire(configPath);
  return (specifier) => {
    try {
      const url = import.meta.resolve(specifier);
      return packageDirectory(fileURLToPath(url)) === packageDirectory(fromConfig.resolve(specifier)) ? url : undefined;
    } catch {
      return undefined;
    }
  };
}

let loading: Promise<typeof KubeConfig> | undefined;

/** The KubeConfig class, loaded once through the narrow graph. */
export function loadKubeConfigClass(): Promise<typeof KubeConfig> {
  loading ??= (async () => {
    const configPath = createRequire(import.meta.url).resolve('@kubernetes/client-node/dist/config.js');
    const configUrl = pathToFileURL(configPath).href;
    const narrow = narrowKubeConfigSource(await readFile(configPath, 'utf8'), configUrl, packageResolver(configPath));
    // Another client-node layout loads as published: correct, only heavier.
    const specifier = narrow === undefined ? configUrl : `data:text/javascript;base64,${Buffer.from(narrow).toString('base64')}`;
    const { KubeConfig } = (await import(specifier)) as typeof import('@kubernetes/client-node/dist/config.js');
    return KubeConfig;
  })();
  return loading;
}
