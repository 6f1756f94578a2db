// A delivery worker of the JetStream crash test (a child process the test may SIGKILL): reads
// the destination `sink` of the stream and POSTs each batch to the loopback sink, acking only what
// the sink accepted and retrying the rest, until the test stops it.
// The test passes a private copy of the built package (a concurrent build may empty dist/).
const { jetStreamLog } = await import(process.env.TP_DIST_INDEX ?? '../dist/index.js');

const [servers, stream, sink, ackWaitMs] = process.argv.slice(2);
const log = jetStreamLog({
  servers: servers.split(','),
  stream,
  replicas: 3,
  ackWaitMs: Number(ackWaitMs),
  maxAckPending: 3000,
  connectTimeoutMs: 1000,
  publishTimeoutMs: 2000,
});
const reader = await log.reader('sink');
for (;;) {
  const messages = await reader.next({ maxEvents: 500, maxBytes: 512 * 1024, waitMs: 500 });
  if (messages.length === 0) continue;
  let delivered = false;
  try {
    const response = await fetch(sink, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"batch":[${messages.map((m) => m.json).join(',')}]}`,
      signal: AbortSignal.timeout(5000),
    });
    delivered = response.ok;
  } catch {
    // The sink did not answer: retried below.
  }
  if (delivered) await reader.ack(messages);
  else reader.retry(messages, 300);
}
