/**
 * client-node's KubeConfig (kubeconfig files, in-cluster config, exec/token-file/OIDC auth and TLS
 * options, unchanged) without the rest of client-node.
 *
 * Why: the package has no `exports` map and one entry point, and `dist/config.js` (KubeConfig)
 * imports `./gen/index.js`, the generated API classes and models of every Kubernetes group, for
 * two names used only by `makeApiClient`. Importing that graph costs ~60 MiB RSS, ~20 MiB of V8
 * heap and ~0.3 s (measured with `node --expose-gc`, `process.memoryUsage()` after `gc()`), in a
 * controller that only needs credentials and TLS material. config.js's other imports for some
 * kubeconfigs only (auth providers, proxies, node-fetch) cost ~19 MiB more.
 *
 * So config.js's own source is evaluated as a `data:` module in which those imports name
 * `kubeconfig-deferred.js` (stand-ins that load the package's module at first use) and every
 * other import names its file in the package by absolute URL: the code is client-node's, and the
 * modules it shares with the package are the package's instances. A module resolve hook
 * (`module.register`) did the same before, but on Node 20 it runs a hooks thread with its own V8
 * isolate for the life of the process (~11 MiB RSS).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEFERRED_IMPORTS } from './kubeconfig-deferred.js';

const STAND_INS = new URL('./kubeconfig-deferred.js', import.meta.url).href;

/** A static `import … from '…'` / `export … from '…'`; its specifier is the third group. */
const STATIC_IMPORT = /(^\s*(?:import|export)\b[^'";]*?\sfrom\s+)(['"])([^'"]+)\2/gm;
/** The names of `import { a, b as c } from `. */
const NAMED_IMPORT = /^\s*import\s*\{([^}]*)\}\s*from\s+$/;

/** Whether the stand-ins provide every name `head` imports (another client-node layout may import others, or import otherwise). */
function standsInFor(head: string, names: ReadonlySet<string>): boolean {
  const imported = NAMED_IMPORT.exec(head)?.[1]?.split(',').map((entry) => entry.trim().split(/\s+as\s+/)[0]!).filter(Boolean);
  return imported !== undefined && imported.every((name) => names.has(name));
}

/**
 * config.js's source with every import named by absolute URL (a `data:` module resolves no other
 * kind), the deferred ones (`DEFERRED_IMPORTS`) as the stand-ins' module; undefined when a deferred import
 * takes a name the stand-ins lack or a package import cannot be located (`resolvePackage` says so):
 * another client-node layout.
 */
export function narrowKubeConfigSource(source: string, moduleUrl: string, resolvePackage: (specifier: string) => string | undefined): string | undefined {
  let unsupported = false;
  const rewritten = source.replace(STATIC_IMPORT, (statement: string, head: string, quote: string, specifier: string) => {
    if (specifier.startsWith('node:')) return statement;
    const deferredNames = DEFERRED_IMPORTS.get(specifier);
    let target: string | undefined;
    if (deferredNames) target = standsInFor(head, deferredNames) ? STAND_INS : undefined;
    else target = specifier.startsWith('.') ? new URL(specifier, moduleUrl).href : resolvePackage(specifier);
    unsupported ||= target === undefined;
    return `${head}${quote}${target ?? specifier}${quote}`;
  });
  return unsupported ? undefined : rewritten;
}

/** Loading ES modules with `require` (Node ≥ 20.19), which the stand-ins do at first use. */
function requireLoadsEsm(): boolean {
  return (process.features as { require_module?: boolean }).require_module === true;
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
    const narrow = requireLoadsEsm() ? narrowKubeConfigSource(await readFile(configPath, 'utf8'), configUrl, packageResolver(configPath)) : undefined;
    // Another client-node layout loads as published: correct, only heavier. The source URL names
    // config.js in stack traces instead of the whole `data:` URL.
    const specifier = narrow === undefined ? configUrl : `data:text/javascript;base64,${Buffer.from(`${narrow}\n//# sourceURL=${configUrl}\n`).toString('base64')}`;
    const { KubeConfig } = (await import(specifier)) as typeof import('@kubernetes/client-node/dist/config.js');
    return KubeConfig;
  })();
  return loading;
}
