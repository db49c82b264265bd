import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getPriority } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { afterEach, describe, expect, it } from 'vitest';
import { HASH_NICE, HashPool, threadPriorityAvailable } from '../../../src/core/hash-pool.js';
import { PasswordHasher } from '../../../src/core/password.js';

const FAST = { memoryCost: 8192, timeCost: 1, parallelism: 1 };
const pools: HashPool[] = [];
const pool = (size: number): HashPool => {
  const p = new HashPool(size);
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** The nice value of each thread of this process, from /proc (field 19 of stat, after the command in parentheses). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('HashPool', () => {
  it('makes hashes the library verifies, and verifies the library\'s hashes', async () => {
    const p = pool(2);
    const mine = await p.hash('correct horse battery', FAST);
    expect(mine).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    expect(await verify(mine, 'correct horse battery')).toBe(true);
    const theirs = await hash('staple', FAST);
    expect(await p.verify(theirs, 'staple')).toBe(true);
    expect(await p.verify(theirs, 'stapler')).toBe(false);
  });

  it('runs more hashes than threads, each to its own answer', async () => {
    const p = pool(2);
    const stored = await p.hash('right', FAST);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => p.verify(stored, i % 3 === 0 ? 'right' : `wrong ${i}`)));
    expect(answers).toEqual(Array.from({ length: 12 }, (_, i) => i % 3 === 0));
    expect(p.queued).toBe(0);
  });

  it('rejects a corrupt stored hash with an error, and keeps working', async () => {
    const p = pool(1);
    await expect(p.verify('not a hash', 'x')).rejects.toThrow();
    const stored = await p.hash('still here', FAST);
    expect(await p.verify(stored, 'still here')).toBe(true);
  });

  it.runIf(threadPriorityAvailable())('hashes on threads that run below the event loop\'s priority', async () => {
    const base = getPriority();
    const before = threadNices().filter((n) => n === Math.min(19, base + HASH_NICE)).length;
    const p = pool(2);
    // Both threads have started (and lowered themselves) once each has hashed.
    await Promise.all([p.hash('a', FAST), p.hash('b', FAST), p.hash('c', FAST)]);
    const after = threadNices().filter((n) => n === Math.min(19, base + HASH_NICE)).length;
    expect(after - before).toBe(2);
    expect(getPriority()).toBe(base);
  });

  it('starts its threads only when hashes need them, never more than its size', async () => {
    const p = pool(2);
    expect(p.threads).toBe(0);
    await p.hash('one', FAST);
    expect(p.threads).toBe(1);
    await Promise.all([p.hash('a', FAST), p.hash('b', FAST), p.hash('c', FAST)]);
    expect(p.threads).toBe(2);
  });

  it('keeps the process alive while a hash runs, and lets it end once idle (no close needed)', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'hush-pool-')), 'main.mts');
    writeFileSync(
      script,
      `import { HashPool } from ${JSON.stringify(pathToFileURL(resolve('src/core/hash-pool.ts')).href)};\n` +
        `const pool = new HashPool(2);\n` +
        `const h = await pool.hash('correct horse battery', ${JSON.stringify(FAST)});\n` +
        `console.log(await pool.verify(h, 'correct horse battery'));\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    // An awaited hash on an idle-looking pool exits 13 (unsettled top-level await); a ref'd idle pool never exits (killed: status null).
    expect({ status: r.status, out: r.stdout.trim() }).toEqual({ status: 0, out: 'true' });
  });

  it('fails what is queued once closed, and refuses new work', async () => {
    const p = pool(1);
    const pending = Promise.allSettled([p.hash('one', { ...FAST, timeCost: 3 }), p.hash('two', FAST)]);
    await p.close();
    const settled = await pending;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    await expect(p.hash('three', FAST)).rejects.toThrow('closed');
  });
});

describe('PasswordHasher on its own threads', () => {
  it('hashes, verifies and checks the dummy like the libuv one', async () => {
    const threaded = await PasswordHasher.create(FAST, { threads: 2 });
    const plain = await PasswordHasher.create(FAST);
    try {
      const h = await threaded.hash('ｐａｓｓword-é');
      expect(await plain.verify(h, 'password-e\u0301')).toBe(true);
      expect(await threaded.verify(await plain.hash('x y z w'), 'x y z w')).toBe(true);
      expect(await threaded.verify(null, 'anything')).toBe(false);
      expect(await threaded.verify('corrupt', 'anything')).toBe(false);
    } finally {
      await threaded.close();
    }
  });
});
