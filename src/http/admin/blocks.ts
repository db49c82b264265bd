import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { HushError, validationError } from '../../kernel/errors.js';
import { parseBlockDuration } from '../../guard/block-list.js';
import type { Guards } from '../../guard/guards.js';
import type { BlockRecord } from '../../guard/stores.js';
import { readText } from '../body.js';

/** A block is a few hundred bytes at most; 4 KiB leaves room and bounds what is read. */
export const BLOCK_BODY_LIMIT = 4 * 1024;

/**
 * The block list over the admin API, behind the `authorize` middleware the
 * caller passes (the API-key system):
 *
 *   GET    /admin/v1/blocks           → { blocks: [...] }
 *   POST   /admin/v1/blocks           { cidr, for: "1h", reason? } → 201 { block }; 400 malformed, 413 past BLOCK_BODY_LIMIT
 *   DELETE /admin/v1/blocks/:id       → 204, or 404
 */
/** The request body, also the OpenAPI document's (http/api/openapi.ts). */
export const BLOCK_BODY = z.object({
  cidr: z.string().min(1).max(64),
  for: z.string().min(1).max(16),
  reason: z.string().max(200).optional(),
});

function view(b: BlockRecord): Record<string, string> {
  return { id: b.id, cidr: b.cidr, reason: b.reason, source: b.source, createdAt: new Date(b.createdAt).toISOString(), expiresAt: new Date(b.expiresAt).toISOString() };
}

export function blockAdmin(deps: { guards: Pick<Guards, 'blockIp' | 'unblock' | 'listBlocks'>; authorize: MiddlewareHandler }): Hono {
  const app = new Hono();
  app.use('/admin/v1/blocks', deps.authorize);
  app.use('/admin/v1/blocks/*', deps.authorize);

  app.get('/admin/v1/blocks', async (c) => c.json({ blocks: (await deps.guards.listBlocks()).map(view) }));

  app.post('/admin/v1/blocks', async (c) => {
    // Bounded like every other body: too large is a 413 (thrown, rendered below), unreadable a 400.
    const text = await readText(c.req.raw, BLOCK_BODY_LIMIT);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return c.json(new HushError('HUSH_BODY_MALFORMED', { message: 'The request body is not valid JSON.' }).toJSON(), 400);
    }
    const parsed = BLOCK_BODY.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return c.json(validationError(String(issue?.path[0] ?? 'body'), issue?.message ?? 'is not valid').toJSON(), 400);
    }
    const ms = parseBlockDuration(parsed.data.for);
    if (ms === null) return c.json(validationError('for', 'must be a duration from 1s to 365d, e.g. 1h').toJSON(), 400);
    try {
      const block = await deps.guards.blockIp({ cidr: parsed.data.cidr, durationMs: ms, reason: parsed.data.reason ?? '', source: 'admin' });
      return c.json({ block: view(block) }, 201);
    } catch (err) {
      if (err instanceof TypeError) return c.json(validationError('cidr', 'is not an IP address or CIDR range').toJSON(), 400);
      throw err;
    }
  });

  app.delete('/admin/v1/blocks/:id', async (c) => {
    const removed = await deps.guards.unblock(c.req.param('id'));
    return removed ? c.body(null, 204) : c.json(new HushError('HUSH_NOT_FOUND').toJSON(), 404);
  });
  // Expected errors render from the registry here too, so the sub-app answers the same mounted or alone.
  app.onError((err, c) => {
    if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
    throw err;
  });
  return app;
}
