/**
 * One TCP port for both protocols, as the official emulator does with FIRESTORE_EMULATOR_HOST:
 * HTTP/1.1 (REST, emulator endpoints) and cleartext HTTP/2 (gRPC). The first bytes of a connection
 * decide: the HTTP/2 client preface starts with "PRI * HTTP/2.0" (RFC 9113 §3.4).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';

const PREFACE = Buffer.from('PRI * HTTP/2.0');

export interface DualServer {
  server: Server;
  close(): Promise<void>;
}

/**
 * The gRPC stack (protobufjs and the Firestore protos) costs tens of milliseconds and several MiB,
 * so it is loaded when the first HTTP/2 connection arrives (that connection waits for it); an
 * emulator used only over REST never pays for it.
 */
export function createDualServer(
  rest: (req: IncomingMessage, res: ServerResponse) => void,
  loadGrpc: () => Promise<Server>,
): DualServer & { loadGrpc: () => Promise<void> } {
  const http = createHttpServer({ keepAliveTimeout: 5_000 }, rest);
  let h2: Server | undefined;
  let closed = false;
  let grpcReady: Promise<void> | undefined;
  const ensureGrpc = (): Promise<void> => {
    grpcReady ??= loadGrpc().then((server) => {
      h2 = server;
    });
    grpcReady.catch((e: unknown) => {
      process.stderr.write(`firestore emulator: cannot load the gRPC service: ${String(e)}\n`);
    });
    return grpcReady;
  };
  const sockets = new Set<Socket>();
  const server = createNetServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      const isH2 =
        chunk.length >= 3 &&
        chunk
          .subarray(0, Math.min(chunk.length, PREFACE.length))
          .equals(PREFACE.subarray(0, Math.min(chunk.length, PREFACE.length)));
      if (isH2) {
        ensureGrpc().then(
          () => {
            if (closed || !h2) socket.destroy();
            else {
              h2.emit('connection', socket);
              socket.resume();
            }
          },
          () => socket.destroy(),
        );
        return;
      }
      http.emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  return {
    server,
    loadGrpc: ensureGrpc,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        server.close(() => resolve());
        http.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}
