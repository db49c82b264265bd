import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/log.js';
import type { EventSink } from '../../core/event.js';
import type { SessionRepository, Sessions } from '../../core/session.js';
import type { Guards } from '../../guard/guards.js';
import type { DetectionEngine } from '../../detect/engine.js';
import type { Signal } from '../../detect/signal.js';
import type { ConsoleAccessStore } from '../../store/console-access.js';
import type { ConsoleEventStore } from '../../store/console-events.js';
import type { ConsoleOverviewStore } from '../../store/console-overview.js';
import type { ConsoleSignalStore } from '../../store/console-signals.js';
import type { SessionCookie } from '../cookies.js';
import type { RequestClient } from '../client.js';
import type { Operator } from './access.js';

/** What the console is built from (the composition root hands each part in). */
export interface ConsoleDeps {
  productName: string;
  /** HUSH_ORIGIN and HUSH_CORS_ORIGINS: forms are refused from anywhere else. */
  origin: string;
  corsOrigins: readonly string[];
  /** HUSH_POW_DIFFICULTY: the base the per-address levels are shown against. */
  powBase: number;
  clock: Clock;
  logger: Logger;
  sessions: Sessions;
  sessionStore: SessionRepository;
  cookie: SessionCookie;
  client: RequestClient;
  guards: Pick<Guards, 'blockIp' | 'unblock' | 'listBlocks' | 'powDifficulty'>;
  engine: Pick<DetectionEngine, 'rules' | 'switchRule' | 'runs'>;
  signals: { get(id: string): Promise<Signal | undefined> };
  stores: { access: ConsoleAccessStore; overview: ConsoleOverviewStore; events: ConsoleEventStore; signals: ConsoleSignalStore };
  /** Where console actions are recorded: the outbox, like every other event. */
  events: EventSink;
}

export type ConsoleEnv = { Variables: { operator: Operator } };
export type ConsoleContext = Context<ConsoleEnv>;

/** The console's CSP: its own stylesheet, no script at all, forms to itself only. */
export const CONSOLE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export async function renderConsole(c: Context, page: JSX.Element, status = 200): Promise<Response> {
  c.header('Content-Security-Policy', CONSOLE_CSP);
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  const html = `<!DOCTYPE html>${String(await page)}`;
  return c.html(html, status as 200);
}
