import { describe, expect, it } from 'vitest';
import { RequestRandom, SeededRandom, cryptoRandom, randomId } from '../../../src/kernel/random.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SeededRandom.fork', () => {
  it('gives a child whose draws do not move the parent', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const childA = a.fork();
    const childB = b.fork();
    childA.bytes(64); // only one child draws
    expect(a.bytes(16)).toEqual(b.bytes(16));
    expect(childA.bytes(8)).not.toEqual(childB.bytes(8));
  });

  it('gives children that differ from each other and from the parent', () => {
    const r = new SeededRandom(9);
    const ids = new Set([randomId(r.fork()), randomId(r.fork()), randomId(r.fork()), randomId(r)]);
    expect(ids.size).toBe(4);
  });
});

describe('RequestRandom', () => {
  /** Three requests on a server over `seed`; the first draws `extra` more bytes (one path minting a token the other does not). */
  const serve = async (seed: number, extra: number): Promise<string[]> => {
    const random = new RequestRandom(new SeededRandom(seed));
    const out: string[] = [];
    for (let i = 0; i < 3; i++) {
      out.push(
        await random.run(async () => {
          const first = randomId(random);
          await tick(); // the draws after an await still come from this request's stream
          const ids = `${first}/${randomId(random)}`;
          if (i === 0 && extra > 0) random.bytes(extra);
          return ids;
        }),
      );
      // Background work between requests (the outbox worker, detection) draws a varying amount.
      random.bytes(extra * 3 + 1);
    }
    return out;
  };

  it('keeps later requests on the same draws whatever an earlier one or the background drew', async () => {
    const plain = await serve(21, 0);
    const heavy = await serve(21, 48);
    expect(heavy).toEqual(plain);
    expect(new Set(plain).size).toBe(3);
  });

  it('without run, the draws come from a background stream that does not shift the requests', () => {
    const a = new RequestRandom(new SeededRandom(3));
    const b = new RequestRandom(new SeededRandom(3));
    a.bytes(100);
    expect(a.run(() => randomId(a))).toEqual(b.run(() => randomId(b)));
  });

  it('gives concurrent requests their own streams', async () => {
    const random = new RequestRandom(new SeededRandom(4));
    const [x, y] = await Promise.all([
      random.run(async () => {
        await tick();
        return randomId(random);
      }),
      random.run(() => Promise.resolve(randomId(random))),
    ]);
    const again = new RequestRandom(new SeededRandom(4));
    expect([again.run(() => randomId(again)), again.run(() => randomId(again))]).toEqual([x, y]);
  });

  it('passes the CSPRNG straight through', () => {
    const random = new RequestRandom(cryptoRandom);
    const ids = new Set(Array.from({ length: 50 }, () => random.run(() => randomId(random))));
    expect(ids.size).toBe(50);
    expect(random.int(10)).toBeLessThan(10);
    expect(random.float()).toBeLessThan(1);
  });
});
