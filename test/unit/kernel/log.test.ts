import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, redactDeep } from '../../../src/kernel/log.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb): void {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, stream };
}

describe('log redaction', () => {
  it('redacts secret-named fields at any depth, in objects, arrays and errors', async () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'debug', destination: stream });
    const err = Object.assign(new Error('failed'), { token: 'tok-123' });
    log.debug({ body: { password: 'pw-1', nested: [{ newPassword: 'pw-2', current: 'pw-3' }] }, headers: { cookie: 'c=1', Authorization: 'Bearer z' }, session_id: 's', apiKey: 'k', err }, 'x');
    await new Promise((r) => setImmediate(r));
    const out = lines.join('');
    for (const secret of ['pw-1', 'pw-2', 'pw-3', 'c=1', 'Bearer z', 'tok-123', '"s"', '"k"']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(out).toContain('failed');
  });

  it('keeps what is not secret', () => {
    expect(redactDeep({ email: 'a@b.c', count: 3 })).toEqual({ email: 'a@b.c', count: 3 });
  });
});
