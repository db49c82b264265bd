import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../../src/core/password.js';
import { PasswordPolicy } from '../../../src/core/password-policy.js';
import type { HushError } from '../../../src/kernel/errors.js';

const FAST = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  it('hashes with argon2id and the given parameters, and verifies', async () => {
    const hasher = await PasswordHasher.create(FAST);
    const h = await hasher.hash('correct horse battery');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    expect(await hasher.verify(h, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(h, 'wrong')).toBe(false);
  });

  it('matches NFKC-equivalent passwords (NIST SP 800-63B)', async () => {
    const hasher = await PasswordHasher.create(FAST);
    const h = await hasher.hash('ｐａｓｓword-é');
    expect(await hasher.verify(h, 'password-e\u0301')).toBe(true);
  });

  it('with no stored hash, or a corrupt one, verifies against the dummy and answers false', async () => {
    const hasher = await PasswordHasher.create(FAST);
    expect(await hasher.verify(null, 'anything')).toBe(false);
    expect(await hasher.verify('not a hash', 'anything')).toBe(false);
  });

  it('the dummy path does the same argon2 work as a real verify', async () => {
    const hasher = await PasswordHasher.create({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const h = await hasher.hash('correct horse battery');
    const time = async (f: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    const real: number[] = [];
    const dummy: number[] = [];
    for (let i = 0; i < 8; i++) {
      real.push(await time(() => hasher.verify(h, 'wrong password')));
      dummy.push(await time(() => hasher.verify(null, 'wrong password')));
    }
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    // Same parameters, same work: medians within a factor of two (a hash-free path would be ~1000× faster).
    expect(median(dummy)).toBeGreaterThan(median(real) / 2);
  });

  it('needsRehash when parameters change', async () => {
    const a = await PasswordHasher.create(FAST);
    const b = await PasswordHasher.create({ ...FAST, timeCost: 2 });
    const h = await a.hash('correct horse battery');
    expect(a.needsRehash(h)).toBe(false);
    expect(b.needsRehash(h)).toBe(true);
    expect(a.needsRehash('garbage')).toBe(true);
  });
});

describe('PasswordPolicy', () => {
  const policy = PasswordPolicy.withShippedList(8);

  it('ships at least the 10,000 most common passwords', () => {
    expect(policy.commonCount).toBeGreaterThanOrEqual(9_900);
  });

  const reason = (pw: unknown): string | undefined => {
    try {
      policy.check(pw);
      return undefined;
    } catch (err) {
      return (err as HushError).details[0]?.reason;
    }
  };

  it('accepts long passphrases with no composition rules', () => {
    expect(reason('correct horse battery staple')).toBeUndefined();
    expect(reason('alllowercaseletters')).toBeUndefined();
  });

  it('refuses short, overlong, missing and common passwords, naming the field', () => {
    expect(reason('short')).toMatch(/at least 8/);
    expect(reason('x'.repeat(257))).toMatch(/at most 256/);
    expect(reason(undefined)).toMatch(/required/);
    expect(reason('password1')).toMatch(/common/);
    expect(reason('Qwertyuiop')).toMatch(/common/);
    try {
      policy.check('short', 'password');
    } catch (err) {
      expect((err as HushError).details[0]?.field).toBe('password');
    }
  });

  it('counts characters, not bytes', () => {
    expect(reason('ééééééé')).toMatch(/at least 8/);
    expect(reason('éééééééé')).toBeUndefined();
  });
});
