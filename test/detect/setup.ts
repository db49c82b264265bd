import { ManualClock } from '../../src/kernel/clock.js';
import { SeededRandom } from '../../src/kernel/random.js';
import { silentLogger } from '../../src/kernel/log.js';
import { Detection } from '../../src/detect/detection.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import { defaultRulesDir, loadRules } from '../../src/detect/load-rules.js';
import { MemoryState } from '../../src/detect/memory-state.js';
import type { DetectionResponder } from '../../src/detect/responder.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { SqlApiKeyStore } from '../../src/store/api-keys.js';
import { SqlEventStore } from '../../src/store/events.js';
import { SqlSignalStore } from '../../src/store/signals.js';
import { SEVERITIES } from '../../src/detect/rule-schema.js';
import { testDatabase } from '../helpers/targets.js';

/** Detection on an in-memory PGlite with every store, a manual clock and a recording responder and outbox. */
export async function detectionOnPglite(): Promise<{
  database: DatabaseHandle;
  clock: ManualClock;
  detection: Detection;
  apiKeys: SqlApiKeyStore;
  events: SqlEventStore;
  signals: SqlSignalStore;
  actions: string[];
  outbox: { kind: string; payload: unknown }[];
}> {
  const database = await testDatabase();
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const random = new SeededRandom(7);
  const actions: string[] = [];
  const outbox: { kind: string; payload: unknown }[] = [];
  const responder: DetectionResponder = {
    blockIp: (ip, forMs) => Promise.resolve(void actions.push(`block ${ip} ${forMs}`)),
    raisePow: (ip, forMs, factor) => Promise.resolve(void actions.push(`pow ${ip} ${forMs} x${factor}`)),
  };
  const events = new SqlEventStore(database.db);
  const signals = new SqlSignalStore(database.db, SEVERITIES);
  const engine = new DetectionEngine({ rules: loadRules([defaultRulesDir()]), state: new MemoryState(), clock, random });
  const detection = new Detection({
    engine,
    logger: silentLogger(),
    events,
    signals,
    responder,
    outbox: { enqueue: (kind, payload) => Promise.resolve(String(outbox.push({ kind, payload }))) },
    env: { HUSH_DETECT_WEBHOOK_URL: 'https://hooks.example.test/hush' },
    origin: 'https://id.example.test',
  });
  return { database, clock, detection, apiKeys: new SqlApiKeyStore({ db: database.db, clock, random }), events, signals, actions, outbox };
}
