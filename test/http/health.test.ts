import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testHush } from '../helpers/hush.js';

const KEY = 'metrics-key-metrics-key-metrics-key-0123';

describe('health, readiness and metrics', () => {
  it('/healthz is alive, /readyz follows the database, /metrics shows HTTP, outbox and worker figures', async () => {
    const t = await testHush({ HUSH_METRICS_KEY: KEY });
    try {
      expect(await (await t.request('/healthz')).json()).toEqual({ status: 'ok' });
      expect((await t.request('/readyz')).status).toBe(200);
      await t.request('/v1/recovery', { json: { email: 'm@example.com' } });
      const metrics = await (await t.request('/metrics', { headers: { authorization: `Bearer ${KEY}` } })).text();
      for (const name of ['hush_http_requests_total', 'hush_http_request_duration_seconds', 'hush_outbox_depth', 'hush_outbox_oldest_age_seconds', 'hush_outbox_failures_total', 'hush_envelope_flows']) {
        expect(metrics, name).toContain(name);
      }
      expect(metrics).toMatch(/hush_http_requests_total\{method="POST",route="\/v1\/recovery",status="202"\} 1/);
      // Nothing in flight between requests: no flow working, none waiting.
      expect(metrics).toContain('hush_envelope_flows{state="working"} 0');
      expect(metrics).toContain('hush_envelope_flows{state="waiting"} 0');
      // A database that lost its migrations is not ready.
      await sql`DELETE FROM hush_migrations`.execute(t.hush.database.db);
      const notReady = await t.request('/readyz');
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: 'not migrated' });
      await sql`DROP TABLE hush_migrations`.execute(t.hush.database.db);
      expect(await (await t.request('/readyz')).json()).toEqual({ status: 'database unavailable' });
      // Unknown routes: a JSON 404, never an HTML page or a stack.
      const missing = await t.request('/nope');
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: { code: 'HUSH_NOT_FOUND', message: 'Not found.' } });
    } finally {
      await t.close();
    }
  });
});
