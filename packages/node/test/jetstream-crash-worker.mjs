// A delivery worker of the JetStream crash test (a child process the test may SIGKILL): a
// forwarder on the shared stream whose one destination POSTs batches to the loopback sink; its
// reader shares the destination's consumer with the other workers. Runs until the test stops it.
// The test passes a private copy of the built package (a concurrent build may empty dist/).
const { createForwarder, destinations, jetStreamLog } = await import(process.env.TP_DIST_INDEX ?? '../dist/index.js');

const [servers, stream, sink, ackWaitMs] = process.argv.slice(2);
createForwarder({
  log: jetStreamLog({
    servers: servers.split(','),
    stream,
    replicas: 3,
    ackWaitMs: Number(ackWaitMs),
    maxAckPending: 3000,
    connectTimeoutMs: 1000,
    publishTimeoutMs: 2000,
  }),
  destinations: [destinations.http({ url: sink })],
  batch: { maxEvents: 500, maxWaitMs: 50 },
  retry: { baseMs: 100, maxMs: 500 },
  timeoutMs: 5000,
  onError: () => {},
});
