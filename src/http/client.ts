import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { RequestMeta } from '../core/flows/index.js';
import { clientAddress } from '../guard/address.js';
import type { ProxyTrust } from '../guard/address.js';

/**
 * Who sent a request, worked out in one place for every route (the JSON API,
 * the hosted pages, the proof-of-work challenge): the socket's address, or
 * the client's address from a trusted proxy's header (HUSH_TRUST_PROXY).
 */
export interface RequestClient {
  /** The compiled HUSH_TRUST_PROXY; undefined when forwarded headers are not trusted. */
  readonly trust: ProxyTrust | undefined;
  /** The address limits and events count this request against. */
  readonly address: (c: Context) => string;
  /** The address and the user agent, as the flows record them. */
  readonly meta: (c: Context) => RequestMeta;
}

export function requestClient(trust: ProxyTrust | undefined): RequestClient {
  const address = (c: Context): string => {
    const socket = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.remoteAddress ?? '0.0.0.0';
    return clientAddress(socket, c.req.raw.headers, trust);
  };
  return {
    trust,
    address,
    meta: (c) => ({ ip: address(c), userAgent: c.req.header('user-agent') ?? null }),
  };
}
