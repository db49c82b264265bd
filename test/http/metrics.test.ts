import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/kernel/config.js';
import { observable, testHush } from '../helpers/hush.js';

/**
 * `/metrics` is not the public's (issue 13, leak 4): a count of mail
 * delivered rises only when a reset names a real, confirmed account, and the
 * guard and detection counters say as much. The public listener answers it
 * with the same 404 as any unknown path unless the bearer key is given; the
 * scrape endpoint is a listener of its own, on the loopback by default.
 */
const KEY = 'metrics-key-metrics-key-metrics-key-0123';

describe('/metrics', () => {
  it('on the public listener: the 404 of any unknown path, without the key or with a wrong one', async () => {
    const t = await testHush({ HUSH_METRICS_KEY: KEY });
    try {
      const unknown = await observable(await t.request('/nope'));
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${KEY}x` }, { authorization: KEY }];
      for (const headers of attempts) {
        const res = await observable(await t.request('/metrics', { headers }));
        expect(res.status).toBe(404);
        expect(res.body).toBe(unknown.body);
        expect(res.headers.filter(([k]) => k !== 'content-length')).toEqual(unknown.headers.filter(([k]) => k !== 'content-length'));
      }
      const keyed = await t.request('/metrics', { headers: { authorization: `Bearer ${KEY}` } });
      expect(keyed.status).toBe(200);
      expect(await keyed.text()).toContain('hush_outbox_depth');
    } finally {
      await t.close();
    }
  });

  it('without a key the public listener never serves it', async () => {
    const t = await testHush();
    try {
      expect((await t.request('/metrics')).status).toBe(404);
      expect((await t.request('/metrics', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('its own listener (HUSH_METRICS_LISTEN) serves it to the scraper; off serves nothing', async () => {
    const t = await testHush({ HUSH_METRICS_LISTEN: '127.0.0.1:0' });
    try {
      const server = await t.hush.listenMetrics();
      expect(server).toBeDefined();
      const res = await fetch(`${server!.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain('hush_http_requests_total');
      expect((await fetch(`${server!.url}/v1/recovery`, { method: 'POST' })).status).toBe(404);
      await server!.close();
    } finally {
      await t.close();
    }
    const off = await testHush({ HUSH_METRICS_LISTEN: 'off' });
    try {
      expect(await off.hush.listenMetrics()).toBeUndefined();
    } finally {
      await off.close();
    }
  });

  it('a bad HUSH_METRICS_LISTEN stops start-up with one line naming it', () => {
    expect(() => loadConfig({ HUSH_METRICS_LISTEN: '9464' })).toThrow(/HUSH_METRICS_LISTEN: .*is not HOST:PORT or off/);
    expect(loadConfig({ HUSH_METRICS_LISTEN: '[::1]:9464' }).metricsListen).toEqual({ host: '::1', port: 9464 });
  });
});
