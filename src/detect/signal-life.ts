import type { RaiseInput, RaiseResult } from './state.js';

/** The live part of a signal, as the state keeps it (the Redis Lua script keeps the same fields). */
export interface SignalLife {
  id: string;
  severity: number;
  firstSeen: number;
  lastSeen: number;
  /** The earlier of lastSeen + keep-alive and firstSeen + maximum duration. */
  expiresAt: number;
  hits: number;
  /** When the signal was last reported to the store. */
  reportedAt: number;
  /** Per case: until when its responses hold (they run again after). */
  respondedUntil: Record<number, number>;
}

/**
 * One rule and group has at most one live signal. A match while it lives
 * refreshes it (keep-alive, bounded by the maximum duration) and may raise its
 * severity, never lower it; a match after it died opens a new one.
 */
export function raiseSignal(current: SignalLife | undefined, input: RaiseInput): { life: SignalLife; result: RaiseResult } {
  const result: RaiseResult = { id: '', status: 'quiet', severity: 0, firstSeen: 0, lastSeen: 0, expiresAt: 0, hits: 0, respond: false };
  return { life: raiseSignalInto(current, input, result), result };
}

/** raiseSignal, writing the result into `into` (the memory state's hot path reuses one) and returning the life. */
export function raiseSignalInto(current: SignalLife | undefined, input: RaiseInput, into: RaiseResult): SignalLife {
  const { now } = input;
  let status: RaiseResult['status'];
  let life: SignalLife;
  if (current === undefined || now >= current.expiresAt) {
    status = 'opened';
    life = { id: input.newId, severity: input.severity, firstSeen: now, lastSeen: now, expiresAt: 0, hits: 0, reportedAt: now, respondedUntil: {} };
  } else {
    // Updated in place: the memory state owns it, and this runs for every matching event.
    life = current;
    if (input.severity > life.severity) {
      status = 'escalated';
      life.severity = input.severity;
      life.reportedAt = now;
    } else if (now - life.reportedAt >= input.updateEveryMs) {
      status = 'updated';
      life.reportedAt = now;
    } else {
      status = 'quiet';
    }
  }
  life.lastSeen = Math.max(life.lastSeen, now);
  life.hits += 1;
  life.expiresAt = Math.min(life.lastSeen + input.keepAliveMs, life.firstSeen + input.maxDurationMs);
  let respond = false;
  if (input.hasResponses) {
    const until = life.respondedUntil[input.caseIndex];
    if (until === undefined || (input.respondForMs > 0 && now >= until)) {
      respond = true;
      life.respondedUntil[input.caseIndex] = input.respondForMs > 0 ? now + input.respondForMs : Number.MAX_SAFE_INTEGER;
    }
  }
  into.id = life.id;
  into.status = status;
  into.severity = life.severity;
  into.firstSeen = life.firstSeen;
  into.lastSeen = life.lastSeen;
  into.expiresAt = life.expiresAt;
  into.hits = life.hits;
  into.respond = respond;
  return life;
}
