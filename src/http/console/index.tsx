import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { SEVERITIES } from '../../detect/rule-schema.js';
import { parseDuration } from '../../kernel/duration.js';
import { operatorOf } from './access.js';
import { consoleActions } from './actions.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { renderConsole } from './deps.js';
import { consoleEvents } from './events-route.js';
import type { ConsoleShell } from './layout.js';
import { consoleStylesheet } from './styles.js';
import { OVERVIEW_FLOWS, OverviewPage, RANGES } from './views-overview.js';
import type { RangeName } from './views-overview.js';
import { AnswersPage } from './views-answers.js';
import { SINCE_CHOICES, SignalListPage, SignalPage } from './views-signals.js';
import { NOTICES } from './notices.js';

export type { ConsoleDeps } from './deps.js';

/**
 * The security console (docs/console.md): server-rendered pages under
 * /console for operators — the overview, signals, answers (blocks,
 * proof-of-work levels, rule switches) and events. Everyone else, signed in
 * or not, gets the app's own 404 for every path under /console: the gate
 * calls `c.notFound()`, which answers with the app's handler, byte for byte.
 */
export function securityConsole(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const sheet = consoleStylesheet();
  const app = new Hono<ConsoleEnv>();
  app.route('/', sheet.routes);

  const gate: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
    const operator = await operatorOf(c, { sessions: deps.sessions, sessionStore: deps.sessionStore, cookie: deps.cookie, clock: deps.clock, operatorFactor: (id) => deps.stores.access.operatorFactor(id) });
    if (operator === null) return c.notFound();
    c.set('operator', operator);
    await next();
    return undefined;
  };
  app.use('/console', gate);
  app.use('/console/*', gate);
  const shell = (c: { get(key: 'operator'): ConsoleShell['operator'] }): ConsoleShell => ({ css: sheet.url, productName: deps.productName, operator: c.get('operator') });

  app.get('/console', async (c) => {
    const rangeParam = c.req.query('range') ?? 'day';
    const range: RangeName = rangeParam in RANGES ? (rangeParam as RangeName) : 'day';
    const { bucketMs, buckets } = RANGES[range];
    const now = deps.clock.now();
    // Buckets end on the next whole step, so a bucket never straddles two renders.
    const end = Math.ceil(now / bucketMs) * bucketMs;
    const from = end - bucketMs * buckets;
    const spike = deps.engine.rules.find((r) => r.anomaly !== undefined && r.groupBy.length === 0 && r.events.includes('users.password_reset'));
    const a = spike?.anomaly ?? { baselineMs: 24 * 3_600_000, factor: 4, minEvents: 50, learningMs: 3_600_000 };
    const windowMs = spike?.windowMs ?? 5 * 60_000;
    const o = deps.stores.overview;
    const tops = [
      { event: 'users.password_reset', label: 'Password reset requests' },
      { event: 'users.login.failure', label: 'Failed sign-ins' },
    ];
    const [series, marks, volume, ...topRows] = await Promise.all([
      o.series(OVERVIEW_FLOWS.map((f) => f.event), from, bucketMs, buckets),
      o.signalsIn(from, end),
      o.volumeVsUsual('users.password_reset', now, { windowMs, ...a }),
      ...tops.map((t) => o.top(t.event, from, end)),
    ]);
    const eventsOf = new Map(deps.engine.rules.map((r) => [r.id, r.events]));
    return renderConsole(
      c,
      <OverviewPage
        shell={shell(c)}
        range={range}
        from={from}
        series={series}
        signals={marks.map((m) => ({ ...m, events: eventsOf.get(m.ruleId) ?? [] }))}
        top={tops.map((t, i) => ({ ...t, addresses: topRows[i]?.addresses ?? [], networks: topRows[i]?.networks ?? [] }))}
        volume={{ ...volume, ruleName: spike === undefined || !deps.engine.runs(spike.id) ? undefined : spike.name, factor: a.factor, minEvents: a.minEvents }}
      />,
    );
  });

  app.get('/console/signals', async (c) => {
    const q = (k: string): string => c.req.query(k) ?? '';
    const filter = {
      severity: (SEVERITIES as readonly string[]).includes(q('severity')) ? q('severity') : '',
      rule: /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(q('rule')) ? q('rule') : '',
      state: q('state') === 'open' || q('state') === 'closed' ? q('state') : '',
      since: (SINCE_CHOICES as readonly string[]).includes(q('since')) ? q('since') : '',
    };
    const page = /^\d{1,4}$/.test(q('page')) ? Number(q('page')) : 0;
    const now = deps.clock.now();
    const [list, rules] = await Promise.all([
      deps.stores.signals.list({
        now,
        page,
        ...(filter.severity === '' ? {} : { severity: filter.severity }),
        ...(filter.rule === '' ? {} : { ruleId: filter.rule }),
        ...(filter.state === '' ? {} : { state: filter.state as 'open' | 'closed' }),
        ...(filter.since === '' ? {} : { since: now - (parseDuration(filter.since) ?? 0) }),
      }),
      deps.stores.signals.ruleIds(),
    ]);
    const query = (p: number): string => `/console/signals?${new URLSearchParams({ ...filter, page: String(p) }).toString()}`;
    const allRules = [...new Set([...rules, ...deps.engine.rules.map((r) => r.id)])].sort();
    return renderConsole(c, <SignalListPage shell={shell(c)} filter={filter} severities={SEVERITIES} rules={allRules} signals={list.signals} now={now} page={page} more={list.more} query={query} />);
  });

  app.get('/console/signals/:id', async (c) => {
    const id = c.req.param('id');
    const signal = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await deps.signals.get(id) : undefined;
    if (signal === undefined) return c.notFound();
    const now = deps.clock.now();
    const rule = deps.engine.rules.find((r) => r.id === signal.ruleId);
    const ip = signal.group['network.client.ip'];
    const login = signal.group['usr.login'];
    // The group's events from a window before the signal opened to its last sighting, in about 60 steps.
    const from = signal.firstSeen - (rule?.windowMs ?? 3_600_000);
    const to = Math.max(signal.lastSeen, signal.firstSeen + 60_000) + 60_000;
    const bucketMs = Math.max(60_000, Math.ceil((to - from) / 60 / 60_000) * 60_000);
    const buckets = Math.ceil((to - from) / bucketMs);
    const grouped = ip !== undefined || login !== undefined;
    const [timeline, blocks, webhooks, difficulty] = await Promise.all([
      grouped ? deps.stores.events.timeline({ ...(ip === undefined ? {} : { ip }), ...(login === undefined ? {} : { login }) }, from, bucketMs, buckets) : Promise.resolve(new Map<string, number[]>()),
      deps.stores.events.blocksFor(signal.id),
      deps.stores.events.webhooksFor(signal.id),
      ip === undefined ? Promise.resolve(undefined) : deps.guards.powDifficulty(ip),
    ]);
    const notice = NOTICES[c.req.query('done') ?? ''];
    return renderConsole(
      c,
      <SignalPage
        shell={shell(c)}
        signal={signal}
        now={now}
        rule={rule}
        ruleRuns={rule !== undefined && deps.engine.runs(rule.id)}
        timeline={{ from, bucketMs, series: [...timeline.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([event, counts]) => ({ event, counts })) }}
        blocks={blocks}
        webhooks={webhooks}
        pow={ip === undefined || difficulty === undefined ? undefined : { address: ip, difficulty, base: deps.powBase }}
        blockAddress={ip}
        notice={notice}
      />,
    );
  });

  app.get('/console/answers', async (c) => {
    const now = deps.clock.now();
    const [blocks, guarded, switches] = await Promise.all([deps.stores.events.blocks(), deps.stores.events.guardedAddresses(now - 24 * 3_600_000), deps.stores.access.rules()]);
    const rows = await Promise.all(guarded.map(async (g) => ({ ...g, difficulty: await deps.guards.powDifficulty(g.ip) })));
    const changes = new Map(switches.map((s) => [s.ruleId, s]));
    return renderConsole(
      c,
      <AnswersPage
        shell={shell(c)}
        now={now}
        blocks={blocks}
        pow={{ base: deps.powBase, rows }}
        rules={deps.engine.rules.map((r) => ({ id: r.id, name: r.name, runs: deps.engine.runs(r.id), change: changes.get(r.id) }))}
        notice={NOTICES[c.req.query('done') ?? '']}
      />,
    );
  });

  app.route('/', consoleEvents(deps, shell));
  app.route('/', consoleActions(deps, sheet.url));
  // Any other path under /console, for an operator too, is the app's 404.
  app.all('/console/*', (c) => c.notFound());
  return app;
}
