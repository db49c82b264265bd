import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MiddlewareHandler } from 'hono';
import { BLOCK_BODY_LIMIT, blockAdmin } from '../../src/http/admin/blocks.js';
import type { BlockRecord } from '../../src/guard/stores.js';
import { testHush } from '../helpers/hush.js';
import type { TestHush } from '../helpers/hush.js';

/** A block list in memory: what the admin routes need of the guards. */
function fakeGuards(): { blocks: BlockRecord[]; guards: Parameters<typeof blockAdmin>[0]['guards'] } {
  const blocks: BlockRecord[] = [];
  return {
    blocks,
    guards: {
      blockIp: (b) => {
        const record: BlockRecord = { id: `b${blocks.length}`, cidr: `${b.cidr}/32`, reason: b.reason, source: b.source, createdAt: 0, expiresAt: b.durationMs };
        blocks.push(record);
        return Promise.resolve(record);
      },
      unblock: () => Promise.resolve(false),
      listBlocks: () => Promise.resolve([...blocks]),
    },
  };
}

const allow: MiddlewareHandler = async (_c, next) => next();
const json = { 'content-type': 'application/json' };
/** A valid block with a megabyte of an ignored field: read unbounded, it would be accepted. */
const oversized = JSON.stringify({ cidr: '203.0.113.9', for: '1h', pad: 'x'.repeat(1024 * 1024) });

/** A body that arrives as a stream with no declared length (chunked), `size` bytes of a valid JSON object. */
function streamed(size: number): ReadableStream<Uint8Array> {
  const head = new TextEncoder().encode('{"cidr":"203.0.113.9","for":"1h","pad":"');
  const tail = new TextEncoder().encode('"}');
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.close();
      sent = true;
      const body = new Uint8Array(size);
      body.set(head, 0);
      body.fill(0x61, head.length, size - tail.length);
      body.set(tail, size - tail.length);
      controller.enqueue(body);
    },
  });
}

describe('POST /admin/v1/blocks reads its body with a bound', () => {
  it('a body past the limit is a 413, whether its length is declared or it streams; nothing is blocked', async () => {
    const { guards, blocks } = fakeGuards();
    const app = blockAdmin({ guards, authorize: allow });
    const declared = await app.request('/admin/v1/blocks', { method: 'POST', headers: { ...json, 'content-length': String(oversized.length) }, body: oversized });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('HUSH_BODY_TOO_LARGE');
    const undeclared = await app.request('/admin/v1/blocks', { method: 'POST', headers: json, body: oversized });
    expect(undeclared.status).toBe(413);
    const chunked = await app.request('/admin/v1/blocks', { method: 'POST', headers: json, body: streamed(1024 * 1024), duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(blocks).toEqual([]);
    // One byte past the limit is refused; at the limit the body is read (and the extra field ignored).
    const past = await app.request('/admin/v1/blocks', { method: 'POST', headers: json, body: streamed(BLOCK_BODY_LIMIT + 1), duplex: 'half' } as RequestInit);
    expect(past.status).toBe(413);
    const atLimit = await app.request('/admin/v1/blocks', { method: 'POST', headers: json, body: streamed(BLOCK_BODY_LIMIT), duplex: 'half' } as RequestInit);
    expect(atLimit.status).toBe(201);
  });

  it('a malformed body is a 400: not JSON, not UTF-8, empty, not an object', async () => {
    const { guards, blocks } = fakeGuards();
    const app = blockAdmin({ guards, authorize: allow });
    const badUtf8 = new Uint8Array([...new TextEncoder().encode('{"cidr":"203.0.113.9","for":"1h","reason":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}')]);
    const bodies: [string, BodyInit][] = [['not JSON', '{"cidr":'], ['empty', ''], ['null', 'null'], ['an array', '[1,2]'], ['a string', '"203.0.113.9"'], ['not UTF-8', badUtf8]];
    for (const [what, body] of bodies) {
      const res = await app.request('/admin/v1/blocks', { method: 'POST', headers: json, body });
      expect(res.status, what).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^HUSH_(BODY_MALFORMED|VALIDATION)$/);
    }
    expect(blocks).toEqual([]);
    expect((await app.request('/admin/v1/blocks', { method: 'POST', headers: json, body: '{"cidr":"203.0.113.9","for":"1h"}' })).status).toBe(201);
  });
});

describe('POST /admin/v1/blocks on the whole server', () => {
  let t: TestHush;
  let key: string;
  beforeAll(async () => {
    t = await testHush();
    key = (await t.hush.stores.apiKeys.create('ops', ['admin'])).key;
  });
  afterAll(async () => t.close());

  const post = (body: BodyInit, headers: Record<string, string> = {}): Promise<Response> =>
    t.request('/admin/v1/blocks', { method: 'POST', headers: { ...json, authorization: `Bearer ${key}`, ...headers }, body });

  it('answers 413 past the limit and 400 when malformed, never a 500', async () => {
    expect((await post(oversized)).status).toBe(413);
    expect((await post(oversized, { 'content-length': String(oversized.length) })).status).toBe(413);
    expect((await post('{"cidr":')).status).toBe(400);
    expect((await post(new Uint8Array([0x7b, 0xff, 0x7d]))).status).toBe(400);
    expect((await post('{"cidr":"203.0.113.10","for":"1h"}')).status).toBe(201);
    expect((await t.hush.guards.listBlocks()).map((b) => b.cidr)).toEqual(['203.0.113.10/32']);
  });
});
