import { Hono } from 'hono';
import type { Context } from 'hono';
import { parseBlockDuration } from '../../guard/block-list.js';
import { HushError } from '../../kernel/errors.js';
import { consoleAudit } from './access.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { renderConsole } from './deps.js';
import { csrfGuard, readForm } from './form.js';
import { ConsolePage } from './layout.js';

/**
 * The console's actions: block (add, extend, lift) and rule switches. Each
 * is a form post, checked for cross-site origin first, then validated, then
 * recorded as a `hush.console.*` event with the operator's id (before it acts,
 * so no action is ever left unrecorded), then done, then redirected (303) to
 * the page it came from with a fixed notice.
 */
export function consoleActions(deps: ConsoleDeps, css: string): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const audit = consoleAudit({ events: deps.events, clock: deps.clock, client: deps.client, logger: deps.logger });
  const allowed = new Set([new URL(deps.origin).origin, ...deps.corsOrigins]);

  const problem = (c: Context<ConsoleEnv>, message: string, back: string): Promise<Response> =>
    renderConsole(
      c,
      <ConsolePage shell={{ css, productName: deps.productName, operator: c.get('operator') }} title="That was not done" current="">
        <p class="alert" role="alert">
          {message}
        </p>
        <p>
          <a href={back}>Back</a>
        </p>
      </ConsolePage>,
      400,
    );

  /** Reads a post's form after the cross-site check; a refusal or a bad body is answered here. */
  const form = async (c: Context<ConsoleEnv>): Promise<Record<string, string> | Response> => {
    const refused = csrfGuard(c, allowed);
    if (refused !== null) return refused;
    try {
      return await readForm(c);
    } catch (err) {
      if (err instanceof HushError) return c.json(err.toJSON(), err.status as 400);
      throw err;
    }
  };
  const reasonOf = (f: Record<string, string>): string | null => {
    const r = (f.reason ?? '').trim();
    return r.length === 0 || r.length > 200 ? null : r;
  };
  const redirect = (c: Context, to: string): Response => {
    c.header('Cache-Control', 'no-store');
    return c.redirect(to, 303);
  };

  app.post('/console/blocks', async (c) => {
    const f = await form(c);
    if (f instanceof Response) return f;
    const signal = /^[A-Za-z0-9_-]{1,64}$/.test(f.signal ?? '') ? f.signal : undefined;
    const back = signal === undefined ? '/console/answers' : `/console/signals/${signal}`;
    const ms = parseBlockDuration(f.for ?? '');
    const reason = reasonOf(f);
    if (ms === null) return problem(c, 'Choose how long to block for (1 second to 365 days).', back);
    if (reason === null) return problem(c, 'Give a reason (at most 200 characters): it is kept with the block and shown to other operators.', back);
    const cidr = (f.cidr ?? '').trim().slice(0, 64);
    await audit.record(c, c.get('operator'), 'block', { cidr, for_ms: ms, reason, ...(signal === undefined ? {} : { signal }) });
    try {
      await deps.guards.blockIp({ cidr, durationMs: ms, reason, source: 'console' });
    } catch (err) {
      if (err instanceof TypeError) return problem(c, 'That is not an IP address or CIDR range.', back);
      throw err;
    }
    return redirect(c, `${back}?done=blocked`);
  });

  app.post('/console/blocks/:id/extend', async (c) => {
    const f = await form(c);
    if (f instanceof Response) return f;
    const ms = parseBlockDuration(f.for ?? '');
    const reason = reasonOf(f);
    if (ms === null || reason === null) return problem(c, 'Choose how long to extend by, and give a reason.', '/console/answers');
    const now = deps.clock.now();
    const old = (await deps.guards.listBlocks()).find((b) => b.id === c.req.param('id'));
    if (old === undefined) return problem(c, 'That block is no longer in force.', '/console/answers');
    await audit.record(c, c.get('operator'), 'extend', { block: old.id, cidr: old.cidr, for_ms: ms, reason });
    // The block list keeps entries immutable: the longer one is added before the old one goes, so the range is never open.
    await deps.guards.blockIp({ cidr: old.cidr, durationMs: Math.max(0, old.expiresAt - now) + ms, reason, source: 'console' });
    await deps.guards.unblock(old.id);
    return redirect(c, '/console/answers?done=extended');
  });

  app.post('/console/blocks/:id/lift', async (c) => {
    const f = await form(c);
    if (f instanceof Response) return f;
    const reason = reasonOf(f);
    if (reason === null) return problem(c, 'Give a reason for lifting the block.', '/console/answers');
    const old = (await deps.guards.listBlocks()).find((b) => b.id === c.req.param('id'));
    if (old === undefined) return problem(c, 'That block is no longer in force.', '/console/answers');
    await audit.record(c, c.get('operator'), 'lift', { block: old.id, cidr: old.cidr, reason });
    await deps.guards.unblock(old.id);
    return redirect(c, '/console/answers?done=lifted');
  });

  app.post('/console/rules/:id', async (c) => {
    const f = await form(c);
    if (f instanceof Response) return f;
    const ruleId = c.req.param('id');
    const enabled = f.enabled === 'on' ? true : f.enabled === 'off' ? false : undefined;
    const reason = reasonOf(f);
    if (enabled === undefined || reason === null) return problem(c, 'Say whether to switch the rule on or off, and give a reason.', '/console/answers');
    if (!deps.engine.rules.some((r) => r.id === ruleId)) return problem(c, 'No rule with that id is loaded.', '/console/answers');
    const operator = c.get('operator');
    await audit.record(c, operator, 'rule_switch', { rule: ruleId, enabled, reason });
    await deps.stores.access.setRule({ ruleId, enabled, changedAt: new Date(deps.clock.now()), changedBy: operator.identityId });
    deps.engine.switchRule(ruleId, enabled);
    return redirect(c, `/console/answers?done=${enabled ? 'rule-on' : 'rule-off'}`);
  });
  return app;
}
