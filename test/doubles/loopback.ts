/**
 * For test servers and proxies: listen on a free port of 127.0.0.1 and stop at once even with
 * keep-alive connections or watches open (server.close alone waits for those); read a request body;
 * find a free port for a server started elsewhere.
 */
import type { IncomingMessage, Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

export interface LoopbackListener {
  port: number;
  /** Ends every open connection and stops listening. */
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A TCP port free on `address` right now (for a server that cannot be handed a listening socket). */
export function freeTcpPort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
