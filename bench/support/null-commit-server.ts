/**
 * A gRPC endpoint that answers every Firestore Commit with the same fixed CommitResponse and does
 * nothing else: the ceiling a firebase-admin client process reaches when the server costs nothing.
 * Usage: node --import tsx bench/support/null-commit-server.ts PORT
 */
import { createServer } from 'node:http2';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

// google.protobuf.Timestamp{seconds: 1700000000, nanos: 1}; WriteResult{update_time};
// CommitResponse{write_results: [WriteResult], commit_time}.
const timestamp = [0x08, ...varint(1_700_000_000), 0x10, 0x01];
const writeResult = [0x0a, timestamp.length, ...timestamp];
const commitResponse = Buffer.from([
  0x0a,
  writeResult.length,
  ...writeResult,
  0x12,
  timestamp.length,
  ...timestamp,
]);
const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, commitResponse.length]), commitResponse]);

const server = createServer();
server.on('stream', (stream) => {
  stream.on('error', () => {});
  stream.resume();
  stream.on('end', () => {
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
    stream.end(frame);
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('listening'));
