/** What client-node's KubeConfig imports from its generated code, from the modules that define it (see kubeconfig.ts). */
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
