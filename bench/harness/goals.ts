/** The bars of issue 11's goals that the benchmarks and `npm run bench` both judge against. */

/** P2: RSA-2048 issuance keeps ≥ 80 % of raw async key generation throughput. */
export const P2_MINIMUM_RATIO = 0.8;
/** P5: certwright's wall time ≥ 5× shorter than lego's. */
export const P5_MINIMUM_SPEEDUP = 5;
/** P6: renewalTime → new CertificateRequest, p99. */
export const P6_MAXIMUM_P99_MS = 1000;
