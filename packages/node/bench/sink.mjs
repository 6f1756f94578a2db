// Loopback HTTP sink for the benchmark, run in its own process so parsing what arrives does not
// slow the subject being measured. Counts events in every batch shape the subjects send.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

let count = 0;
let requests = 0;
let cpuAtReset = process.cpuUsage();
// `POST /down` makes the sink answer 503 to every batch until `POST /up` (the backlog bench).
let down = false;
const server = createServer((req, res) => {
  if (req.method === 'POST' && (req.url === '/down' || req.url === '/up')) {
    down = req.url === '/down';
    res.end('{}');
    return;
  }
  if (req.method === 'GET' && req.url === '/count') {
    // The sink's own CPU since the last reset: on a small machine it competes with the subject.
    const cpu = process.cpuUsage(cpuAtReset);
    res.end(JSON.stringify({ count, requests, cpuMs: (cpu.user + cpu.system) / 1000 }));
    return;
  }
  if (req.method === 'POST' && req.url === '/reset') {
    count = 0;
    requests = 0;
    cpuAtReset = process.cpuUsage();
    res.end('{}');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (down) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"error":"down"}');
      return;
    }
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const parsed = JSON.parse(body.toString('utf8'));
    count += Array.isArray(parsed.batch) ? parsed.batch.length : 0;
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"Ok"}');
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
