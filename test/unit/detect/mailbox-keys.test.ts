import { describe, expect, it } from 'vitest';
import { Harness } from './harness.js';

/**
 * Rules group and count accounts by mailbox (issue 13, leak 6): rotating the
 * spelling of one inbox (plus-tags, Gmail's dots, googlemail.com) used to
 * split a reset flood into groups that each stayed under the threshold.
 */
const SPELLINGS = ['victim@gmail.com', 'victim+1@gmail.com', 'v.ictim@gmail.com', 'vic.tim+x@googlemail.com', 'victim+2@gmail.com', 'v.i.ctim@gmail.com'];
const reset = (login: string, i: number) => ({ name: 'users.password_reset', 'usr.login': login, 'usr.exists': true, 'network.client.ip': `198.51.100.${i + 1}` });

describe('rules count mailboxes, not spellings', () => {
  it('reset-flooding: six resets of one inbox in six spellings from six addresses → one Medium signal for the mailbox', async () => {
    const h = new Harness({ only: ['reset-flooding'] });
    for (const [i, login] of SPELLINGS.entries()) await h.send(reset(login, i));
    expect(h.signals()).toEqual([expect.objectContaining({ severity: 'medium', ruleId: 'reset-flooding' })]);
    expect(h.changes.at(-1)!.signal.group).toEqual({ 'usr.login': 'victim@gmail.com' });
  });

  it('password-reset-enumeration: six spellings of one inbox from one address are one account, not six', async () => {
    const h = new Harness({ only: ['password-reset-enumeration'] });
    for (const login of SPELLINGS) await h.send({ ...reset(login, 0) });
    expect(h.changes).toEqual([]);
  });
});
