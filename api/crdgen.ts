/** `npm run gen:crds`: writes the generated CRDs into the repository's `crds/` folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from './crd.js';

// Compiled to <outDir>/api/crdgen.js; the repository root is two levels up.
const crdsDir = fileURLToPath(new URL('../../crds/', import.meta.url));

await mkdir(crdsDir, { recursive: true });
for (const [name, text] of renderCrdFiles()) {
  await writeFile(`${crdsDir}${name}`, text);
  process.stdout.write(`wrote crds/${name}\n`);
}
