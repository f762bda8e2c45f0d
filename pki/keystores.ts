/**
 * The PKCS#12 and JKS encoders, loaded when the first Certificate asks for a keystore: they bring
 * node-forge and the @peculiar/asn1 PFX/CMS schemas (~10 MiB of RSS), which a controller whose
 * Certificates want only PEM never needs.
 */
import type { encodePkcs12Keystore, encodePkcs12Truststore } from './pkcs12.js';
import type { encodeJksKeystore, encodeJksTruststore } from './jks.js';

export interface KeystoreEncoders {
  encodePkcs12Keystore: typeof encodePkcs12Keystore;
  encodePkcs12Truststore: typeof encodePkcs12Truststore;
  encodeJksKeystore: typeof encodeJksKeystore;
  encodeJksTruststore: typeof encodeJksTruststore;
}

let loading: Promise<KeystoreEncoders> | undefined;

export function loadKeystoreEncoders(): Promise<KeystoreEncoders> {
  loading ??= Promise.all([import('./pkcs12.js'), import('./jks.js')]).then(([pkcs12, jks]) => ({
    encodePkcs12Keystore: pkcs12.encodePkcs12Keystore,
    encodePkcs12Truststore: pkcs12.encodePkcs12Truststore,
    encodeJksKeystore: jks.encodeJksKeystore,
    encodeJksTruststore: jks.encodeJksTruststore,
  }));
  return loading;
}
