/** Shared fixtures for the DNS-01 tests: a Secret store that records every read, and requests. */
import type { KubeSecret } from '../../../issuers/backend.js';
import type { Dns01Context, Dns01Request } from '../../../solvers/dns01/provider.js';

export interface RecordingContext extends Dns01Context {
  /** `namespace/name` of every Secret asked for, in order. */
  reads: string[];
}

/** Secrets given as `{ 'ns/name': { key: 'plain value' } }`; values are base64-encoded as the API stores them. */
export function secretsContext(secrets: Record<string, Record<string, string>>): RecordingContext {
  const reads: string[] = [];
  return {
    reads,
    async getSecret(namespace, name): Promise<KubeSecret | undefined> {
      reads.push(`${namespace}/${name}`);
      const data = secrets[`${namespace}/${name}`];
      if (!data) return undefined;
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { namespace, name },
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      };
    },
  };
}

export function dns01Request(overrides: Partial<Dns01Request> = {}): Dns01Request {
  return {
    uid: 'challenge-uid-1',
    dnsName: 'www.example.test',
    key: 'key-authorization-digest-1',
    resolvedFQDN: '_acme-challenge.www.example.test.',
    resolvedZone: 'example.test.',
    resourceNamespace: 'team-a',
    allowAmbientCredentials: false,
    ...overrides,
  };
}
