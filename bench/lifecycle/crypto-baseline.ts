/**
 * The crypto floor of one ECDSA P-256 Certificate, measured in this process with the same pki/
 * calls the controller makes: generate the key, build the CSR, sign it with a CA, parse the result.
 * The controller's CPU per Certificate divided by this is its overhead ratio.
 */
import { performance } from 'node:perf_hooks';
import { generateCsr, generatePrivateKey, parseCertificate, signCertificate } from '../../pki/index.js';
import { benchCa } from '../pki/main.js';

export interface CryptoBaseline {
  certificates: number;
  /** Wall time per certificate, one after another. */
  wallMsPerCertificate: number;
  /** CPU time per certificate (all threads of this process, so keygen on libuv's pool counts). */
  cpuMsPerCertificate: number;
}

const P256 = { algorithm: 'ECDSA', size: 256 } as const;

/** Keygen + CSR + sign + parse for `count` P-256 certificates (after one warm-up round). */
export async function measureCryptoBaseline(count: number): Promise<CryptoBaseline> {
  const { signer } = await benchCa(P256, 'bench CA');
  const oneCertificate = async (i: number) => {
    const name = `crypto-${i}.bench.example`;
    const key = await generatePrivateKey(P256);
    const csr = await generateCsr({ commonName: name, dnsNames: [name] }, key);
    const signed = await signCertificate(csr, {}, signer);
    parseCertificate(signed.certificate.pem);
  };
  await oneCertificate(-1);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) await oneCertificate(i);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    certificates: count,
    wallMsPerCertificate: wallMs / count,
    cpuMsPerCertificate: (cpu.user + cpu.system) / 1000 / count,
  };
}
