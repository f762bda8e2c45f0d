/**
 * The PKCS#12 and JKS encoders, loaded when the first Certificate asks for a keystore: they bring
 * node-forge and the @peculiar/asn1 PFX/CMS schemas (~10 MiB of RSS), which a controller whose
 * Certificates want only PEM never needs.
 */
export type KeystoreEncoders = typeof import('./pkcs12.js') & typeof import('./jks.js');

let loading: Promise<KeystoreEncoders> | undefined;

export function loadKeystoreEncoders(): Promise<KeystoreEncoders> {
  loading ??= Promise.all([import('./pkcs12.js'), import('./jks.js')]).then(([pkcs12, jks]) => ({ ...pkcs12, ...jks }));
  return loading;
}
