#!/usr/bin/env node
// Plays a hotline call and a Facebook message from one customer, by phone number, against a running
// `pnpm demo`, then prints the customer's whole story. Open a case on the shop's help page with the
// same phone number first: both contacts join it as repeat contacts, and the hotline agent's demo
// promise goes overdue a minute later (watch the server log or /cases).
//   node examples/server/scripts/play-contacts.mjs [phone] [demo url]
const phone = process.argv[2] ?? '0912 345 678';
const base = process.argv[3] ?? 'http://127.0.0.1:4000';
const played = await fetch(`${base}/api/cases/play?phone=${encodeURIComponent(phone)}`, { method: 'POST' });
if (!played.ok) throw new Error(`the demo answered ${played.status}: is \`pnpm demo\` running at ${base}?`);
console.log('played', await played.json());
await new Promise((r) => setTimeout(r, 2000)); // the forwarder batches for 250 ms, the store writes
const story = await (await fetch(`${base}/api/cases/history?phone=${encodeURIComponent(phone)}`)).json();
for (const c of story.cases ?? [])
  console.log(`case ${c.id} (${c.status}, opened on ${c.channel}): ${c.repeatContacts} repeat contact(s)`);
for (const e of story.timeline ?? [])
  console.log(
    `  ${new Date(e.at).toISOString().slice(11, 19)} ${e.kind.padEnd(15)} ${(e.channel ?? '').padEnd(9)} ${e.data.text ?? e.data.what ?? e.data.name ?? ''}`,
  );
