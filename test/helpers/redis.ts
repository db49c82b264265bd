import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * A client on the Redis named by HUSH_TEST_REDIS_URL and a key prefix no other
 * test uses (test files run in parallel on the one server); `close()` deletes
 * every key under the prefix and disconnects.
 */
export interface TestRedis {
  url: string;
  redis: Redis;
  prefix: string;
  close(): Promise<void>;
}

export async function testRedis(url: string): Promise<TestRedis> {
  const redis = new Redis(url);
  await redis.ping(); // ready: until then the guards (rightly) decide on their per-instance fallback
  const prefix = `hush:test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  return {
    url,
    redis,
    prefix,
    async close(): Promise<void> {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}
