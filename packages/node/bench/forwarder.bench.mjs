// `pnpm bench`: events/second end to end into a loopback HTTP sink, and peak RSS — the forwarder
// on memoryLog and on fileLog (every acknowledgement durable), and posthog-node (and, on request,
// @segment/analytics-node) on the same sink in the same run; then a 1M-event backlog with the sink
// down (appended to disk, delivered when it is back) and the ingest's answer latency on fileLog.
// Each subject runs in its own child process; the sink runs in another and counts what arrived.
// Each row also prints the CPU time of the subject's process (all its threads, from its start) and of
// the sink during the run: on a 2-core machine the two together can use every core there is.
// BENCH_SIZES=100000,1000000 (default), BENCH_SUBJECTS=memory,file,posthog (default; add segment),
// BENCH_REPEAT (runs of sizes under 1M, default 3, best counts), BENCH_BACKLOG=1000000,
// BENCH_INGEST=40000 (events sent to the ingest as 20-event batches); 0 skips either.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sizes = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').filter(Boolean).map(Number);
const subjects = (process.env.BENCH_SUBJECTS ?? 'memory,file,posthog').split(',').filter(Boolean);
const backlogSize = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
const ingestSize = Number(process.env.BENCH_INGEST ?? 40_000);
const names = {
  memory: 'forwarder + memoryLog',
  file: 'forwarder + fileLog (durable)',
  posthog: 'posthog-node',
  segment: '@segment/analytics-node',
};

function child(file, args) {
  const proc = fork(join(here, file), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  const message = new Promise((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`${file} ${args.join(' ')} exited with ${code} before reporting`)));
  });
  return { proc, message };
}

const sink = child('sink.mjs', []);
const { port } = await sink.message;
const sinkUrl = `http://127.0.0.1:${port}`;

async function measure(subject, n) {
  await fetch(`${sinkUrl}/reset`, { method: 'POST' });
  const run = child('subject.mjs', [subject, String(n), String(port)]);
  const result = await run.message;
  await new Promise((resolve) => (run.proc.exitCode === null ? run.proc.once('exit', resolve) : resolve()));
  const { count, cpuMs } = await (await fetch(`${sinkUrl}/count`)).json();
  return { ...result, arrived: count, sinkCpuMs: cpuMs };
}

function line(r) {
  const missing = r.arrived === r.events ? '' : r.arrived < r.events ? '  ⚠ EVENTS MISSING' : '  (duplicates)';
  return `${(names[r.subject] ?? r.subject).padEnd(30)} ${String(r.events).padStart(8)} events  ${Math.round(r.eventsPerSec).toLocaleString('en').padStart(9)} ev/s  peak RSS ${r.peakRssMB.toFixed(0).padStart(4)} MB  CPU ${(r.cpuMs / 1000).toFixed(2).padStart(5)} s  sink CPU ${(r.sinkCpuMs / 1000).toFixed(2).padStart(5)} s  arrived ${r.arrived}${missing}`;
}

// The machine is shared, so short runs are noisy: sizes under 1M run REPEAT times, interleaved
// across subjects, and the best run of each subject counts (every run is printed).
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const results = [];
for (const n of sizes) {
  const runs = n < 1_000_000 ? repeat : 1;
  const best = new Map();
  for (let r = 0; r < runs; r++) {
    for (const subject of subjects) {
      const row = await measure(subject, n);
      console.log(line(row));
      const prev = best.get(subject);
      if (!prev || row.eventsPerSec > prev.eventsPerSec) best.set(subject, row);
    }
  }
  results.push(...best.values());
}

let backlog;
if (backlogSize > 0) {
  await fetch(`${sinkUrl}/down`, { method: 'POST' });
  backlog = await measure('backlog', backlogSize);
  await fetch(`${sinkUrl}/up`, { method: 'POST' });
  console.log(line(backlog));
}
let ingest;
if (ingestSize > 0) {
  ingest = await measure('ingest', ingestSize);
  console.log(line(ingest));
}
sink.proc.disconnect();
sink.proc.kill();

console.log('\n| events | subject | events/s | peak RSS (MB) | CPU (s) | sink CPU (s) | arrived |');
console.log('|---:|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.events.toLocaleString('en')} | ${names[r.subject] ?? r.subject} | ${Math.round(r.eventsPerSec).toLocaleString('en')} | ${r.peakRssMB.toFixed(0)} | ${(r.cpuMs / 1000).toFixed(2)} | ${(r.sinkCpuMs / 1000).toFixed(2)} | ${r.arrived.toLocaleString('en')} |`,
  );
}
for (const n of sizes) {
  const at = (s) => results.find((x) => x.subject === s && x.events === n);
  const file = at('file');
  const memory = at('memory');
  const posthog = at('posthog');
  if (file && posthog) {
    const ratio = file.eventsPerSec / posthog.eventsPerSec;
    console.log(
      `${n.toLocaleString('en')} events: fileLog is ${ratio.toFixed(1)}x posthog-node; target ≥ 5x → ${ratio >= 5 ? 'met' : 'NOT met'}`,
    );
  }
  if (file && memory) {
    const ratio = file.eventsPerSec / memory.eventsPerSec;
    console.log(
      `${n.toLocaleString('en')} events: fileLog is ${ratio.toFixed(2)}x memoryLog; target ≥ 0.7x → ${ratio >= 0.7 ? 'met' : 'NOT met'}`,
    );
  }
}
if (backlog) {
  console.log(
    `backlog: ${backlog.events.toLocaleString('en')} events appended with the sink down in ${(backlog.appendedMs / 1000).toFixed(1)} s, all delivered ${((backlog.elapsedMs - backlog.appendedMs) / 1000).toFixed(1)} s after it came back (arrived ${backlog.arrived.toLocaleString('en')}); peak RSS ${backlog.peakRssMB.toFixed(0)} MB; target < 200 MB → ${backlog.peakRssMB < 200 ? 'met' : 'NOT met'}`,
  );
}
if (ingest) {
  console.log(
    `ingest on fileLog (20-event batches, 8 concurrent clients, durable before 200): median ${ingest.latencyP50Ms.toFixed(2)} ms, p99 ${ingest.latencyP99Ms.toFixed(2)} ms, ${Math.round(ingest.eventsPerSec).toLocaleString('en')} events/s accepted and delivered`,
  );
}
