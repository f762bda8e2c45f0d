/**
 * PEM safety limits, in bytes of input, matching cert-manager's controller flag defaults
 * (`--max-certificate-size`, `--max-private-key-size`, `--max-certificate-chain-length`,
 * `--max-certificate-bundle-size`). They bound the work a hostile Secret can cause.
 */
export const MAX_CERTIFICATE_SIZE = 36_500;
export const MAX_PRIVATE_KEY_SIZE = 13_000;
export const MAX_CERTIFICATE_CHAIN_LENGTH = 95_000;
export const MAX_CERTIFICATE_BUNDLE_SIZE = 330_000;
