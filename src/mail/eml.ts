/**
 * A small reader for the RFC 5322 / MIME messages hush itself writes
 * (nodemailer's composer): headers with folding and RFC 2047 encoded words,
 * multipart bodies, quoted-printable and base64 parts. Enough for the dev
 * mailbox and tests; not a general mail parser.
 */
export interface ParsedEml {
  headers: Map<string, string>;
  text: string;
  html: string;
}

export function parseEml(source: string): ParsedEml {
  const { headers, body } = splitHeaders(source);
  const parts: { type: string; content: string }[] = [];
  collect(headers, body, parts);
  const text = parts.find((p) => p.type === 'text/plain')?.content ?? '';
  const html = parts.find((p) => p.type === 'text/html')?.content ?? '';
  return { headers, text, html };
}

function splitHeaders(source: string): { headers: Map<string, string>; body: string } {
  const normalized = source.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function collect(headers: Map<string, string>, body: string, out: { type: string; content: string }[]): void {
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? 'text/plain';
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (boundary === undefined) return;
    const sections = body.split(`--${boundary}`);
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      const part = splitHeaders(section.replace(/^\n/, ''));
      collect(part.headers, part.body.replace(/\n$/, ''), out);
    }
    return;
  }
  const charset = /charset="?([^";]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  out.push({ type, content: decodeBody(body, encoding, charset) });
}

function decodeBody(body: string, encoding: string, charset: string): string {
  const decoder = new TextDecoder(charset);
  if (encoding === 'base64') return decoder.decode(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
  if (encoding === 'quoted-printable') return decoder.decode(decodeQuotedPrintable(body));
  return body;
}

function decodeQuotedPrintable(s: string): Uint8Array {
  const joined = s.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i];
    const hex = joined.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c ?? '', 'utf8')) bytes.push(b);
    }
  }
  return Uint8Array.from(bytes);
}

/** RFC 2047: `=?charset?Q|B?text?=`, whitespace between adjacent words dropped. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
      const decoder = new TextDecoder(charset);
      if (enc.toUpperCase() === 'B') return decoder.decode(Buffer.from(text, 'base64'));
      return decoder.decode(decodeQuotedPrintable(text.replace(/_/g, ' ')));
    });
}
