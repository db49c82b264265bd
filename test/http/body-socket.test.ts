import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { readBody } from '../../src/http/body.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHush } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';

/**
 * Bodies read straight from Node's request stream (the server's path, not
 * `app.request`'s): the same answers as the web-stream path, bounded the same
 * way, over a real socket on 127.0.0.1.
 */
describe('request bodies over a real socket', () => {
  let t: TestHush;
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    t = await testHush({ HUSH_HOST: '127.0.0.1', HUSH_PORT: '0' });
    server = await t.hush.listen();
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  /** Sends `chunks` one write each: no content-length means chunked transfer encoding. */
  function post(path: string, chunks: (string | Buffer)[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const url = new URL(path, server.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
  }

  it('reads JSON and form bodies, whole or in chunks', async () => {
    const json = JSON.stringify({ email: 'someone@example.com' });
    expect((await post('/v1/recovery', [json], { 'content-type': 'application/json', 'content-length': String(json.length) })).status).toBe(202);
    expect((await post('/v1/recovery', [json.slice(0, 5), json.slice(5)], { 'content-type': 'application/json' })).status).toBe(202);
    expect((await post('/v1/recovery', ['email=someone%40', 'example.com'], { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(202);
    // The field is really read: an empty one is a validation error, not a 202.
    const bad = await post('/v1/recovery', ['{"email":""}'], { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('email');
  });

  it('413 for a chunked body past 16 KiB (no length declared), and the server still answers after it', async () => {
    const chunk = 'x'.repeat(4096);
    const big = await post('/v1/recovery', ['{"email":"', ...Array.from({ length: 8 }, () => chunk), '"}'], { 'content-type': 'application/json' });
    expect(big.status).toBe(413);
    expect(big.body).toContain('HUSH_BODY_TOO_LARGE');
    expect((await post('/v1/recovery', ['{"email":"a@example.com"}'], { 'content-type': 'application/json' })).status).toBe(202);
  });

  it('400 for bytes that are not UTF-8 or not JSON, 415 for another type', async () => {
    expect((await post('/v1/recovery', [Buffer.from([0x7b, 0xff, 0xfe, 0x7d])], { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('/v1/recovery', ['{"email":'], { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('/v1/recovery', ['<x/>'], { 'content-type': 'application/xml' })).status).toBe(415);
  });
});

describe('readBody from a Node request stream', () => {
  const web = new Request('http://127.0.0.1/v1/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"web request"}' });
  const node = (chunks: string[]): IncomingMessage => Readable.from(chunks.map((c) => Buffer.from(c))) as unknown as IncomingMessage;

  it('reads the Node stream when given one, and the web body otherwise', async () => {
    expect(await readBody(web.clone(), 1024, node(['{"from":', '"node"}']))).toEqual({ from: 'node' });
    expect(await readBody(web.clone(), 1024)).toEqual({ from: 'web request' });
  });

  it('refuses past the limit while reading, keeping nothing', async () => {
    await expect(readBody(web.clone(), 16, node(['{"from":"', 'x'.repeat(20), '"}']))).rejects.toMatchObject({ code: 'HUSH_BODY_TOO_LARGE' });
  });
});
