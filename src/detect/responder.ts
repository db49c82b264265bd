/**
 * What a signal's responses need from the guards: narrow on purpose, so that
 * detection depends on two verbs, not on the guards' internals. Both are
 * silent to the attacker: a blocked address gets the flow's normal reply with
 * its effects dropped, a raised address solves harder proofs-of-work.
 */
export interface DetectionResponder {
  blockIp(ip: string, forMs: number, reason: string): Promise<void>;
  raisePow(ip: string, forMs: number, factor: number): Promise<void>;
}

/** The shape of hush's Guards that the responder uses (structural, so detect does not import guard). */
export interface GuardVerbs {
  blockIp(input: { cidr: string; durationMs: number; reason: string; source: string }): Promise<unknown>;
  raisePow(address: string, durationMs: number, factor?: number): Promise<void>;
}

/** The responder hush's server uses: detection responses land on the guards' block list and difficulty marks. */
export function guardsResponder(guards: GuardVerbs): DetectionResponder {
  return {
    async blockIp(ip, forMs, reason): Promise<void> {
      await guards.blockIp({ cidr: ip, durationMs: forMs, reason, source: 'detection' });
    },
    raisePow: (ip, forMs, factor) => guards.raisePow(ip, forMs, factor),
  };
}
