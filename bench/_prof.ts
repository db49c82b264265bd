import { Agent } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { createHush } from '../src/hush.js';
import { loadConfig } from '../src/kernel/config.js';
import { silentLogger } from '../src/kernel/log.js';
import { openMemoryDatabase } from '../src/store/database.js';
import { timedPost } from '../test/helpers/load.js';
import { readMailbox } from '../src/mail/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'hush-prof-'));
const config = loadConfig({ HUSH_DATA_DIR: dataDir, HUSH_LOG_LEVEL: 'silent', HUSH_LIMITS: 'off', HUSH_POW: 'off', HUSH_PORT: '0', HUSH_TRUST_PROXY: '1', HUSH_SECRET: 'bench-secret-bench-secret-bench-secret-00' });
const database = await openMemoryDatabase();
const hush = await createHush({ config, logger: silentLogger(), database });
const server = await hush.listen();
const base = new URL(server.url);
await hush.app.request('/v1/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench passphrase one' }) });
await new Promise((r) => setTimeout(r, 600));
const link = (await readMailbox(join(dataDir, 'mailbox'))).flatMap((m) => m.links).find((l) => l.includes('/verify#')) ?? '';
await hush.app.request('/v1/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: new URL(link).hash.slice(7) }) });
let clients = 0; let n = 0;
const path = process.env.P ?? '/v1/login';
const body = (i: number) => JSON.stringify({ email: i % 2 ? 'bench@example.com' : `u${++n}@example.com`, password: 'bench passphrase one' });
async function loop(seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const stopAt = performance.now() + seconds * 1000; let i = 0; let done = 0;
  await Promise.all(Array.from({ length: 32 }, async () => { while (performance.now() < stopAt) { const c = ++clients; await timedPost(agent, base, path, body(i++), { 'x-forwarded-for': `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}` }); done++; } }));
  agent.destroy();
  return done / seconds;
}
await loop(Number(process.env.W ?? 2));
const ticks = () => { const m = new Map<string, number>(); for (const t of readdirSync('/proc/self/task')) { const st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); m.set(t, Number(f[11]) + Number(f[12])); } return m; };
const tk0 = ticks();
const session = new Session(); session.connect();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (process.env.PROF) { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
const rps = await loop(Number(process.env.S ?? 6));
const el = (performance.now() - t0) / 1000;
if (process.env.PROF) { const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/prof/main.cpuprofile', JSON.stringify(profile)); }
const cpu = process.cpuUsage(cpu0);
console.log(`rps ${rps.toFixed(1)}; process cpu per req ${((cpu.user + cpu.system) / 1000 / (rps * el)).toFixed(2)} ms`);
const tk1 = ticks(); const reqs = rps * el; const main = String(process.pid);
for (const [t, v] of tk1) { const d = v - (tk0.get(t) ?? 0); if (d > 5) console.log(t === main ? 'main' : t, d, 'ticks', (d * 10 / reqs).toFixed(2), 'ms/req'); }
await server.close(); await hush.close();
process.exit(0);
