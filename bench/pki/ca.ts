/** The self-signed CA the pki/ benchmark and the lifecycle crypto baseline sign with. */
import type { KeyObject } from 'node:crypto';
import { generateCsr, generatePrivateKey, selfSignCertificate, type CaSigner, type KeySpec } from '../../pki/index.js';

/** A self-signed CA of `spec` and the signer pki/ takes for it: what issuers/ca.ts signs with. */
export async function benchCa(spec: KeySpec, commonName: string): Promise<{ key: KeyObject; signer: CaSigner }> {
  const key = await generatePrivateKey(spec);
  const ca = await selfSignCertificate(await generateCsr({ commonName, isCA: true }, key), { isCA: true }, key);
  return { key, signer: { certificate: ca.certificatePem, privateKey: key } };
}
