import { HushError } from '../kernel/errors.js';

/** Account endpoints take at most 16 KiB. */
export const ACCOUNT_BODY_LIMIT = 16 * 1024;

export type Fields = Record<string, unknown>;

/**
 * Reads a JSON or form-encoded body of at most `limit` bytes into a plain
 * object. Too large: 413. Malformed, or not an object: 400. Another type: 415.
 * The decision depends only on the bytes sent.
 */
export async function readBody(request: Request, limit: number = ACCOUNT_BODY_LIMIT): Promise<Fields> {
  const text = await readText(request, limit);
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (text.length === 0) return {};
  if (type === 'application/json' || type.endsWith('+json')) return parseJson(text);
  if (type === 'application/x-www-form-urlencoded') return parseForm(text);
  if (type === '') {
    // curl -d without a type sends a form; a JSON object is recognisable by its first byte.
    return text.trimStart().startsWith('{') ? parseJson(text) : parseForm(text);
  }
  throw new HushError('HUSH_UNSUPPORTED_MEDIA_TYPE');
}

/** Reads at most `limit` bytes of UTF-8, refusing (413) as soon as the body is larger; never buffers more. */
export async function readText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw new HushError('HUSH_BODY_TOO_LARGE', { message: `The request body is larger than ${limit} bytes.` });
  return decode(await readLimited(request, limit));
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (cause) {
      throw new HushError('HUSH_BODY_MALFORMED', { message: 'The request body could not be read to the end.', cause });
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new HushError('HUSH_BODY_TOO_LARGE', { message: `The request body is larger than ${limit} bytes.` });
    }
    chunks.push(next.value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HushError('HUSH_BODY_MALFORMED', { message: 'The request body is not valid UTF-8.' });
  }
}

function parseJson(text: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HushError('HUSH_BODY_MALFORMED', { message: 'The request body is not valid JSON.' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HushError('HUSH_BODY_MALFORMED', { message: 'The request body must be a JSON object.' });
  }
  // A plain copy: no prototype tricks (`__proto__` keys) reach the flows.
  return Object.assign(Object.create(null) as Fields, value);
}

function parseForm(text: string): Fields {
  const out = Object.create(null) as Fields;
  for (const [key, value] of new URLSearchParams(text)) {
    if (!(key in out)) out[key] = value;
  }
  return out;
}
