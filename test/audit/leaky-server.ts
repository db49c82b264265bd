/**
 * The calibration target: an account endpoint whose leaks switch on one at a
 * time. With no leak it still varies the way real apps do inside one class
 * (Date, a request id, a CSRF nonce in the body), so the auditor has to learn
 * that variation rather than flag it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export type Leak =
  | { kind: 'none' }
  | { kind: 'body-word' }
  | { kind: 'status' }
  | { kind: 'header' }
  | { kind: 'set-cookie' }
  | { kind: 'content-length' }
  | { kind: 'json-order' }
  /** `timer` waits without blocking (like a hash on the thread pool), so concurrent requests can overtake. */
  | { kind: 'delay'; micros: number; slower: 'known' | 'unknown'; timer?: boolean }
  | { kind: 'tail-delay'; micros: number }
  | { kind: 'rate-limit'; every: number }
  | { kind: 'rate-limit-all'; after: number }
  /** Sequences (issue 15): a second login for an existing account from one client within a run is a 429 (Supabase auth #2398). */
  | { kind: 'second-429' }
  /** Existing accounts lock after `after` failures from one client; unknown ones never do. */
  | { kind: 'lockout'; after: number }
  /** POST /signup keeps the password of a new address; logging in with it answers "confirm your address first" (hush had this). */
  | { kind: 'verify-first' }
  /** After replying to an existing account, `micros` of work the server does before it takes the next request, whatever that is. */
  | { kind: 'after-effect'; micros: number }
  /** GET /counter counts logins of existing accounts. */
  | { kind: 'counter' }
  /** The same JSON for both classes, written with a space elsewhere (same length) or an escape (`\u002e`) for existing accounts. */
  | { kind: 'byte-space' }
  | { kind: 'byte-escape' };

export interface LeakyOptions {
  leak: Leak;
  known: readonly string[];
  /** Reply format: JSON (default) or an HTML page. */
  format?: 'json' | 'html';
  h2?: boolean;
  /** Require the CSRF token from GET /form (cookie + body field `csrf`). */
  csrf?: boolean;
  /**
   * Never read the identifier: an A/A control where nothing on the server can
   * differ by class. (Even with every leak off, a server that parses fresh
   * identifiers does slightly different work for never-seen strings.)
   */
  blind?: boolean;
}

export interface LeakyServer {
  url: string;
  origin: string;
  close(): Promise<void>;
}

interface Res {
  statusCode: number;
  setHeader(name: string, value: string | string[]): unknown;
  end(body?: string): unknown;
}

export async function startLeakyServer(opts: LeakyOptions): Promise<LeakyServer> {
  const known = new Set(opts.known.map((k) => k.toLowerCase()));
  const attempts = new Map<string, number>();
  const pending = new Set<string>();
  let total = 0;
  let counter = 0;
  let afterReply = 0;
  const csrf = randomBytes(12).toString('hex');

  const handle = async (method: string, path: string, headers: http.IncomingHttpHeaders, body: string, res: Res): Promise<void> => {
    if (afterReply > 0) {
      spin(afterReply);
      afterReply = 0;
    }
    if (method === 'GET' && path === '/form') {
      res.setHeader('set-cookie', `csrf=${csrf}; Path=/; HttpOnly`);
      res.setHeader('content-type', 'text/html');
      res.end(`<form><input type="hidden" name="csrf" value="${csrf}"></form>`);
      return;
    }
    if (method === 'GET' && path === '/healthz') return json(res, 200, '{"status":"ok"}');
    if (method === 'GET' && path === '/counter') return json(res, 200, JSON.stringify({ count: counter }));
    if (method === 'POST' && path === '/signup') {
      const fields = parseBody(body, headers['content-type'] ?? '');
      const email = (fields.email ?? '').toLowerCase();
      // A new address is kept with the password it came with, until someone confirms it.
      if (opts.leak.kind === 'verify-first' && !known.has(email)) pending.add(email);
      return json(res, 200, '{"ok":true,"message":"Check your inbox."}');
    }
    if (method !== 'POST' || path !== '/login') {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const fields = parseBody(body, headers['content-type'] ?? '');
    if (opts.csrf === true && (fields.csrf !== csrf || !(headers.cookie ?? '').includes(`csrf=${csrf}`))) {
      res.statusCode = 403;
      res.end('csrf');
      return;
    }
    const email = opts.blind === true ? '' : (fields.email ?? '').toLowerCase();
    const exists = known.has(email);
    const leak = opts.leak;
    total++;
    if (leak.kind === 'rate-limit-all' && total > leak.after) return limited(res);
    if (leak.kind === 'rate-limit' && exists) {
      // Counted only where the leak needs it: a map that grew with every fresh
      // unknown identifier would itself be a (real, measurable) timing leak.
      const n = (attempts.get(email) ?? 0) + 1;
      attempts.set(email, n);
      if (n % leak.every === 0) return limited(res);
    }
    // Per client (X-Forwarded-For, a fresh one per audit run) and account, as real limits key them.
    const pair = `${String(headers['x-forwarded-for'] ?? '')} ${email}`;
    if ((leak.kind === 'second-429' || leak.kind === 'lockout') && exists) {
      const n = (attempts.get(pair) ?? 0) + 1;
      attempts.set(pair, n);
      if (leak.kind === 'second-429' && n >= 2) return limited(res);
      if (leak.kind === 'lockout' && n > leak.after) return json(res, 423, '{"error":"account locked"}');
    }
    if (leak.kind === 'verify-first' && pending.has(email)) return json(res, 403, '{"error":"confirm your address first"}');
    if (leak.kind === 'counter' && exists) counter++;
    if (leak.kind === 'delay' && exists === (leak.slower === 'known')) {
      if (leak.timer === true) await new Promise((r) => setTimeout(r, leak.micros / 1000));
      else spin(leak.micros);
    }
    if (leak.kind === 'tail-delay' && exists && randomInt(10) === 0) spin(leak.micros);
    // Within-class variation every reply has: a request id header and a CSRF nonce in the body.
    res.setHeader('x-request-id', randomBytes(8).toString('hex'));
    res.setHeader('cache-control', leak.kind === 'header' && exists ? 'private, no-store' : 'no-store');
    // The cookie is made for every reply, so the only difference between the classes is the header itself (not a timing one).
    const attempt = `attempt=${randomBytes(6).toString('hex')}; Path=/; HttpOnly`;
    if (leak.kind === 'set-cookie' && exists) res.setHeader('set-cookie', attempt);
    res.statusCode = leak.kind === 'status' && !exists ? 404 : 200;
    const sentence = leak.kind === 'body-word' && exists ? 'We sent a link to your inbox.' : 'We sent a link to the inbox.';
    const nonce = randomBytes(12).toString('base64url');
    let text: string;
    if (opts.format === 'html') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      text = `<!doctype html><html><body><p>${sentence}</p><input type="hidden" name="csrf" value="${nonce}"><footer>${new Date().toISOString()}</footer></body></html>`;
    } else {
      res.setHeader('content-type', 'application/json');
      const reply = leak.kind === 'json-order' && exists ? { message: sentence, ok: true, csrf: nonce } : { ok: true, message: sentence, csrf: nonce };
      text = JSON.stringify(reply);
    }
    if (leak.kind === 'content-length' && exists) text += ' ';
    // The space moves, so the length (and Content-Length) is the same for both classes: only the bytes differ.
    if (leak.kind === 'byte-space') text = text.replace('"ok":true,', exists ? '"ok": true,' : '"ok":true ,');
    if (leak.kind === 'byte-escape' && exists) text = text.replace('inbox.', 'inbox\\u002e');
    res.setHeader('content-length', String(Buffer.byteLength(text)));
    // Work left for after the reply (mail sent inline, a cache filled), as a single worker does it (PHP's
    // fastcgi_finish_request): the worker finishes it before it takes the next request, whatever that is.
    if (leak.kind === 'after-effect' && exists) afterReply += leak.micros;
    res.end(text);
  };

  const server = opts.h2 === true ? http2.createServer() : http.createServer();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, req.headers, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/login`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        (server as http.Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function json(res: Res, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(text);
}

function limited(res: Res): void {
  res.statusCode = 429;
  res.setHeader('content-type', 'application/json');
  res.setHeader('retry-after', '60');
  res.end('{"error":"too many attempts"}');
}

/** Busy-waits: a timer cannot delay by a few microseconds, a spin can. */
function spin(micros: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(micros * 1000));
  while (process.hrtime.bigint() < end) {
    // spin
  }
}

function parseBody(body: string, type: string): Record<string, string> {
  if (type.includes('application/json')) {
    try {
      const v = JSON.parse(body) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}
