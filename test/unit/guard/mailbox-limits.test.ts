import { describe, expect, it } from 'vitest';
import { rig } from './fixture.js';

/**
 * Mail limits count mailboxes, not spellings (issue 13, leak 6): plus-tags,
 * Gmail's ignored dots, googlemail.com and an IDN domain in either form each
 * used to get a fresh per-identifier budget, so one inbox could be flooded
 * from rotating spellings up to the app-wide limit.
 */
const SPELLINGS = [
  'victim@gmail.com',
  'victim+1@gmail.com',
  'v.ictim@gmail.com',
  'vic.tim+news@googlemail.com',
  'victim+2@gmail.com',
  'v.i.c.t.i.m@gmail.com',
];

describe('mail limits per mailbox', () => {
  it.each([
    ['recovery', 'recovery'],
    ['magic-link', 'magic-link'],
    ['signup', 'signup'],
  ] as const)('%s: five requests for one inbox in any spelling, then silent', async (_name, action) => {
    const { guards } = await rig({ env: { HUSH_POW: 'off' } });
    const kinds: string[] = [];
    // Each from a fresh address, so only the per-mailbox limit can apply.
    for (const [i, identifier] of SPELLINGS.entries()) kinds.push((await guards.check({ action, address: `198.51.100.${i + 1}`, identifier, fields: {} })).kind);
    expect(kinds).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'silent']);
  });

  it('an IDN domain in Unicode and in punycode is one mailbox; other inboxes keep their own budget', async () => {
    const { guards } = await rig({ env: { HUSH_POW: 'off' } });
    const check = async (identifier: string, i: number): Promise<string> => (await guards.check({ action: 'recovery', address: `198.51.100.${i}`, identifier, fields: {} })).kind;
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) kinds.push(await check(i % 2 === 0 ? 'ann@bücher.example' : 'ann+x@xn--bcher-kva.example', i + 1));
    expect(kinds.at(-1)).toBe('silent');
    // Dots matter outside Gmail: a.nn is another mailbox there.
    expect(await check('a.nn@bücher.example', 50)).toBe('pass');
    expect(await check('victim@gmail.com', 51)).toBe('pass');
  });
});
