/**
 * client-node's KubeConfig (kubeconfig files, in-cluster config, exec/token-file/OIDC auth and TLS
 * options, unchanged) without the rest of client-node.
 *
 * Why: the package has no `exports` map and one entry point, and `dist/config.js` (KubeConfig)
 * imports `./gen/index.js`, the generated API classes and models of every Kubernetes group, for
 * two names used only by `makeApiClient`. Importing that graph costs ~60 MiB RSS, ~20 MiB of V8
 * heap and ~0.3 s (measured with `node --expose-gc`, `process.memoryUsage()` after `gc()`), in a
 * controller that only needs credentials and TLS material. A module resolve hook (Node's
 * `module.register`, ~11 MiB for its thread) points that one import, made by that one file, at
 * `kubeconfig-gen.js`, which re-exports the two names from the small generated modules that define
 * them; everything else resolves as usual, and a process that imports the whole package still gets
 * the same module instances.
 */
import * as nodeModule from 'node:module';
import type { KubeConfig } from '@kubernetes/client-node';

let loading: Promise<typeof KubeConfig> | undefined;

/** The KubeConfig class, loaded once through the narrow graph. */
export function loadKubeConfigClass(): Promise<typeof KubeConfig> {
  loading ??= (async () => {
    // Node before 20.6 has no module.register: it loads the whole package, as it always did.
    if (typeof nodeModule.register === 'function') nodeModule.register('./kubeconfig-hooks.js', import.meta.url);
    const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
    return KubeConfig;
  })();
  return loading;
}
