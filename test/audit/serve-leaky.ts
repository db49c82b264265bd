/**
 * Runs the calibration server in its own process (for the benchmark, and for
 * trying `hush audit` by hand): `node --import tsx test/audit/serve-leaky.ts
 * '{"kind":"delay","micros":20,"slower":"known"}' [h2]`. Prints its URL, then
 * reads new leak settings as JSON lines on stdin (until killed), so one process (one warm
 * JIT) serves every configuration of a benchmark.
 */
import { createInterface } from 'node:readline';
import { startLeakyServer } from './leaky-server.js';
import type { Leak, LeakyServer } from './leaky-server.js';

const known = ['alice@example.com', 'bob@example.com'];
const h2 = process.argv[3] === 'h2';
/** A leak setting, optionally with `"blind": true` (the A/A control). */
type Setting = Leak & { blind?: boolean };
const start = (s: Setting): Promise<LeakyServer> => startLeakyServer({ leak: s, known, h2, blind: s.blind === true });
let server: LeakyServer = await start(JSON.parse(process.argv[2] ?? '{"kind":"none"}') as Setting);
process.stdout.write(`${server.url}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  await server.close();
  server = await start(JSON.parse(line) as Setting);
  process.stdout.write(`${server.url}\n`);
}
// stdin closed: keep serving the last configuration until killed.
