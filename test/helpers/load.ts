import { request } from 'node:http';
import type { Agent } from 'node:http';

export interface Timed {
  status: number;
  /** Milliseconds from the first byte sent to the last byte received. */
  ms: number;
}

/** One request over a keep-alive agent, timed with the high-resolution clock. */
export function timedPost(agent: Agent, url: URL, path: string, body: string, headers: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(
      { agent, host: url.hostname, port: url.port, path, method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `tasks` with at most `concurrency` in flight, in their order; stops early past `deadlineMs`. */
export async function runPool<T>(tasks: readonly (() => Promise<T>)[], concurrency: number, deadlineMs: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  const stopAt = Date.now() + deadlineMs;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      if (Date.now() > stopAt) throw new Error(`load loop passed its deadline of ${deadlineMs} ms`);
      const i = next++;
      const task = tasks[i];
      if (task !== undefined) results[i] = await task();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return results;
}
