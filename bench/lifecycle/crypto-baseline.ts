/**
 * The crypto floor of one Certificate, measured in this process with the same pki/ calls the
 * controller makes: generate the key, build the CSR, sign it with a CA (keys of the benchmark's
 * algorithm and size for both), parse the result.
 * The controller's CPU per Certificate divided by this is its overhead ratio.
 */
import { performance } from 'node:perf_hooks';
import { generateCsr, generatePrivateKey, parseCertificate, signCertificate } from '../../pki/index.js';
import { benchCa } from '../pki/ca.js';
import type { BenchKey } from './options.js';

export interface CryptoBaseline {
  key: BenchKey;
  certificates: number;
  /** Wall time per certificate, one after another. */
  wallMsPerCertificate: number;
  /** CPU time per certificate (all threads of this process, so keygen on libuv's pool counts). */
  cpuMsPerCertificate: number;
}

/** Keygen + CSR + sign + parse for `count` certificates with `key` (after one warm-up round). */
export async function measureCryptoBaseline(count: number, key: BenchKey): Promise<CryptoBaseline> {
  const { signer } = await benchCa(key, 'bench CA');
  const oneCertificate = async (i: number) => {
    const name = `crypto-${i}.bench.example`;
    const privateKey = await generatePrivateKey(key);
    const csr = await generateCsr({ commonName: name, dnsNames: [name] }, privateKey);
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
    key,
    certificates: count,
    wallMsPerCertificate: wallMs / count,
    cpuMsPerCertificate: (cpu.user + cpu.system) / 1000 / count,
  };
}
