import type { Random } from '../kernel/random.js';
import type { OutgoingRequest } from './client.js';
import { CookieJar, render } from './sequence.js';
import type { SetupState } from './setup.js';
import type { Probe } from './types.js';

/** Builds the probe's single request for one identifier: the same bytes for both classes except the identifier. */
export function buildRequest(probe: Probe, id: string, setup: SetupState | undefined, random: Random): OutgoingRequest {
  const values: Record<string, string> = { ...(setup?.values ?? {}), id };
  return render(probe, values, new CookieJar(setup?.cookie), { random, knownSet: new Set(probe.known.map((k) => k.toLowerCase())), shape: probe.known[0] ?? id });
}
