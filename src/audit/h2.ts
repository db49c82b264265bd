import http2 from 'node:http2';
import { AuditError } from './errors.js';
import type { OutgoingRequest } from './client.js';
import type { Reply } from './types.js';

export interface PairResult {
  /** Replies in the order the requests were given. */
  replies: [Reply, Reply];
  /** Request → response headers, µs, per request (both streams share the connection). */
  micros: [number, number];
  /** Index (0 or 1) of the request whose response headers arrived first. */
  first: 0 | 1;
}

/**
 * The "timeless" method (Van Goethem et al., USENIX Security 2020): two
 * requests leave together on one HTTP/2 connection, in one write, and only the
 * order of the replies is read, so network jitter cancels out. Node writes the
 * frames of streams opened in the same tick in one batch; the socket is corked
 * around both requests to make that explicit.
 */
export class H2PairClient {
  readonly #session: http2.ClientHttp2Session;
  readonly #origin: string;

  private constructor(session: http2.ClientHttp2Session, origin: string) {
    this.#session = session;
    this.#origin = origin;
  }

  static connect(origin: string, timeoutMs: number = 10_000): Promise<H2PairClient> {
    return new Promise((resolve, reject) => {
      const session = http2.connect(origin);
      const timer = setTimeout(() => {
        session.destroy();
        reject(new AuditError(`${origin} did not accept an HTTP/2 connection within ${timeoutMs} ms`));
      }, timeoutMs);
      session.once('connect', () => {
        clearTimeout(timer);
        resolve(new H2PairClient(session, origin));
      });
      session.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new AuditError(`cannot speak HTTP/2 to ${origin}: ${err.code ?? err.message}`));
      });
    });
  }

  async sendPair(a: OutgoingRequest, b: OutgoingRequest): Promise<PairResult> {
    let first: 0 | 1 | undefined;
    const socket = this.#session.socket as unknown as { cork?: () => void; uncork?: () => void };
    socket.cork?.();
    const start = process.hrtime.bigint();
    const pa = this.#one(a, start, () => (first ??= 0));
    const pb = this.#one(b, start, () => (first ??= 1));
    socket.uncork?.();
    const [ra, rb] = await Promise.all([pa, pb]);
    return { replies: [ra.reply, rb.reply], micros: [ra.micros, rb.micros], first: first ?? 0 };
  }

  #one(req: OutgoingRequest, start: bigint, onHeaders: () => void): Promise<{ reply: Reply; micros: number }> {
    const url = new URL(req.url);
    if (url.origin !== this.#origin) throw new AuditError(`--h2 needs every probe on ${this.#origin}, not ${url.origin}`);
    const headers: http2.OutgoingHttpHeaders = { ':method': req.method, ':path': url.pathname + url.search };
    for (const [k, v] of req.headers) if (!['connection', 'host', 'keep-alive', 'transfer-encoding'].includes(k.toLowerCase())) headers[k.toLowerCase()] = v;
    const stream = this.#session.request(headers, { endStream: req.body === undefined });
    if (req.body !== undefined) stream.end(req.body);
    return new Promise((resolve, reject) => {
      let status = 0;
      let micros = 0;
      const list: [string, string][] = [];
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        micros = Number(process.hrtime.bigint() - start) / 1000;
        onHeaders();
        status = Number(h[':status'] ?? 0);
        for (const [k, v] of Object.entries(h)) {
          if (k.startsWith(':')) continue;
          for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) list.push([k, String(one)]);
        }
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ reply: { status, headers: list, body: Buffer.concat(chunks).toString('utf8') }, micros }));
      stream.on('error', (err: Error) => reject(new AuditError(`HTTP/2 stream failed: ${err.message}`)));
    });
  }

  close(): void {
    this.#session.close();
  }
}
