import type { AccountEvent, EventSink } from '../core/event.js';
import type { Deliverer, OutboxMessage, OutboxWriter } from '../core/outbox.js';
import { PermanentDeliveryError } from '../core/outbox.js';
import type { Logger } from '../kernel/log.js';
import type { EventStore } from './stores.js';
import type { Detected, DetectionEngine, PlannedResponse } from './engine.js';
import type { DetectionResponder } from './responder.js';
import type { SignalSink } from './signal.js';
import { webhookBody } from './webhook.js';
import type { WebhookPayload } from './webhook.js';

export interface DetectionOptions {
  engine: DetectionEngine;
  logger: Logger;
  /** Persists accepted events (absent: events are analysed, not kept). */
  events?: EventStore;
  /** Keeps signals (absent: they are only returned). */
  signals?: SignalSink;
  /** Carries out block_ip and raise_pow (absent: those responses are logged and skipped). */
  responder?: DetectionResponder;
  /** Where `notify` webhooks are queued (absent: skipped). */
  outbox?: OutboxWriter;
  /** Where `url_env` names are read; default process.env. */
  env?: Record<string, string | undefined>;
  /** The public origin, for links in webhook messages. */
  origin?: string;
  /** Called after each analysed event (metrics). */
  onDetected?: (found: Detected) => void;
}

/**
 * Detection as the rest of hush sees it: an EventSink. An event is persisted,
 * run through the engine, and what it raised is stored and answered. Analysis
 * never fails the caller: a flow must not break because Redis hiccupped; the
 * failure is logged (and the event is already stored for a replay).
 */
export class Detection implements EventSink {
  readonly engine: DetectionEngine;
  readonly #o: DetectionOptions;
  readonly #env: Record<string, string | undefined>;
  #failures = 0;

  constructor(options: DetectionOptions) {
    this.engine = options.engine;
    this.#o = options;
    this.#env = options.env ?? process.env;
  }

  /** Analysis failures so far (Redis down, store down): a metric. */
  get failures(): number {
    return this.#failures;
  }

  async record(event: AccountEvent): Promise<void> {
    await this.recordMany([event]);
  }

  /** Persists a batch (one insert; throws if the store fails, so the caller can refuse it), then analyses each event. */
  async recordMany(events: readonly AccountEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#o.events?.insert(events);
    for (const event of events) await this.analyze(event);
  }

  /** Runs one event through the rules and answers what it raised, without persisting it (it is already stored). */
  async analyze(event: AccountEvent, now?: number): Promise<Detected> {
    let found: Detected;
    try {
      found = await this.engine.observe(event, now);
    } catch (err) {
      this.#failures++;
      this.#o.logger.error({ err, event: event.name }, 'detection could not analyse an event');
      return { changes: [], responses: [] };
    }
    for (const change of found.changes) {
      try {
        await this.#o.signals?.save(change);
      } catch (err) {
        this.#failures++;
        this.#o.logger.error({ err, signal: change.signal.id }, 'could not store a signal');
      }
      this.#o.logger.warn({ signal: change.signal.id, rule: change.signal.ruleId, severity: change.signal.severity, group: change.signal.group, change: change.kind }, 'detection signal');
    }
    for (const r of found.responses) await this.#respond(r);
    this.#o.onDetected?.(found);
    return found;
  }

  async #respond(planned: PlannedResponse): Promise<void> {
    const { response, signal, ip } = planned;
    const reason = `signal ${signal.id}: ${signal.ruleName} (${signal.severity})`;
    try {
      if (response.kind === 'notify') {
        const url = response.url ?? (response.urlEnv === undefined ? undefined : this.#env[response.urlEnv]);
        if (url === undefined || url === '' || !this.#o.outbox) return;
        const payload: WebhookPayload = {
          url,
          format: response.format,
          body: webhookBody({ kind: planned.kind, signal }, response.format, this.#o.origin),
          ...(response.secretEnv === undefined ? {} : { secretEnv: response.secretEnv }),
        };
        await this.#o.outbox.enqueue('webhook', payload);
        return;
      }
      if (ip === undefined || !this.#o.responder) {
        this.#o.logger.info({ signal: signal.id, response: response.kind }, 'response skipped: no address or no responder');
        return;
      }
      if (response.kind === 'block_ip') await this.#o.responder.blockIp(ip, response.forMs, reason);
      else await this.#o.responder.raisePow(ip, response.forMs, response.factor);
      this.#o.logger.warn({ signal: signal.id, response: response.kind, ip, forMs: response.forMs }, 'detection response');
    } catch (err) {
      this.#failures++;
      this.#o.logger.error({ err, signal: signal.id, response: response.kind }, 'a detection response failed');
    }
  }
}

/**
 * The outbox deliverer for `event` rows: hush's own flows write their events
 * to the outbox in the request's transaction (never lost); this delivers them
 * to detection (persist + analyse), at least once.
 */
export function eventDeliverer(detection: Detection): Deliverer {
  return {
    kind: 'event',
    async deliver(message: OutboxMessage): Promise<void> {
      await detection.record(eventOf(message));
    },
    // A run of events: one insert, then each through the rules. A bad row throws, and the worker takes the rows one by one.
    async deliverMany(messages: readonly OutboxMessage[]): Promise<void> {
      await detection.recordMany(messages.map(eventOf));
    },
  };
}

function eventOf(message: OutboxMessage): AccountEvent {
  const e = message.payload as Partial<AccountEvent> | null;
  if (!e || typeof e.name !== 'string' || typeof e.at !== 'number') throw new PermanentDeliveryError('event row without a name or time');
  return { ...(e as AccountEvent), source: e.source ?? 'hush' };
}
