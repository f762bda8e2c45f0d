/**
 * Module resolve hook registered by kubeconfig.ts (it runs on Node's hooks thread): client-node's
 * `dist/config.js` gets `kubeconfig-gen.js` for its `./gen/index.js` import; nothing else changes.
 */
const KUBECONFIG_MODULE_SUFFIX = '/@kubernetes/client-node/dist/config.js';
const GENERATED_INDEX = './gen/index.js';

interface ResolveContext {
  parentURL?: string;
}

interface ResolveResult {
  url: string;
  shortCircuit?: boolean;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: (specifier: string, context: ResolveContext) => Promise<ResolveResult>,
): Promise<ResolveResult> {
  if (specifier === GENERATED_INDEX && context.parentURL?.endsWith(KUBECONFIG_MODULE_SUFFIX)) {
    return { url: new URL('./kubeconfig-gen.js', import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
