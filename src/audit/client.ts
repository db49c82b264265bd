import http from 'node:http';
import https from 'node:https';
import { AuditError } from './errors.js';
import type { Reply } from './types.js';

/** Bodies beyond this are cut: the auditor compares replies, it does not archive them. */
const MAX_BODY = 256 * 1024;

export interface OutgoingRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body?: string;
}

export interface TimedReply {
  reply: Reply;
  /** Last request byte handed to the kernel → first reply byte seen, µs. */
  micros: number;
}

/**
 * A keep-alive HTTP/1.1 client with one connection per target, so every probe
 * after the first rides a warm connection and no handshake lands inside a
 * measurement. The clock starts when the request has been written and stops at
 * the first byte of the reply, read from the socket itself (not after header
 * parsing), which keeps the client's own parsing out of the measurement.
 */
export class ProbeClient {
  readonly #agents = { http: new http.Agent({ keepAlive: true, maxSockets: 1 }), https: new https.Agent({ keepAlive: true, maxSockets: 1 }) };
  readonly #timeoutMs: number;

  constructor(timeoutMs: number = 10_000) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Sends one request. A server may close an idle keep-alive connection just
   * as it is reused (its keep-alive timeout); that request never reached the
   * application, so it is sent once more on a fresh connection.
   */
  async send(req: OutgoingRequest): Promise<TimedReply> {
    try {
      return await this.#send(req);
    } catch (err) {
      if (err instanceof StaleSocket) return this.#send(req);
      throw err;
    }
  }

  #send(req: OutgoingRequest): Promise<TimedReply> {
    const url = new URL(req.url);
    const secure = url.protocol === 'https:';
    const mod = secure ? https : http;
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers: Record<string, string> = {};
    for (const [k, v] of req.headers) headers[k] = v;
    if (body !== undefined) headers['content-length'] = String(body.length);
    return new Promise<TimedReply>((resolve, reject) => {
      const t = { start: 0n, firstByte: 0n };
      const r = mod.request(url, { method: req.method, headers, agent: secure ? this.#agents.https : this.#agents.http }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const end = t.firstByte > 0n ? t.firstByte : process.hrtime.bigint();
          const names: [string, string][] = [];
          const rawNames: string[] = [];
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) {
            names.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
            rawNames.push(raw[i]!);
          }
          resolve({
            reply: { status: res.statusCode ?? 0, headers: names, rawNames, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8') },
            micros: Number(end - t.start) / 1000,
          });
        });
        res.on('error', reject);
      });
      r.setTimeout(this.#timeoutMs, () => r.destroy(new AuditError(`${url.origin} did not answer within ${this.#timeoutMs} ms`)));
      r.on('error', (err: NodeJS.ErrnoException) => {
        if (r.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) reject(new StaleSocket());
        else reject(err instanceof AuditError ? err : unreachable(url, err));
      });
      r.on('socket', (socket) => {
        // Once per request, so a keep-alive socket does not collect listeners.
        socket.prependOnceListener('data', () => {
          if (t.firstByte === 0n) t.firstByte = process.hrtime.bigint();
        });
      });
      // The write itself happens on the next tick; that fixed cost is the same for both classes.
      t.start = process.hrtime.bigint();
      r.end(body);
    });
  }

  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}

class StaleSocket extends Error {}

function unreachable(url: URL, err: NodeJS.ErrnoException): AuditError {
  return new AuditError(`cannot reach ${url.origin}: ${err.code ?? err.message}`);
}
