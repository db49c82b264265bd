import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { Hono } from 'hono';
import type { Logger } from '../../kernel/log.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { pageCss } from './styles.js';
import type { Theme } from './theme.js';

/**
 * The static files of the hosted pages, all served by hush itself (never a
 * CDN): the stylesheet, the page script, the ALTCHA widget from its package
 * (the `external` build, whose styles and workers are separate files, so the
 * page CSP needs no 'unsafe-inline' and no blob: scripts) and the logo.
 * Each URL carries a hash of its content, so a year of caching is safe.
 */
export interface AssetUrls {
  css: string;
  js: string;
  altchaJs: string;
  altchaCss: string;
  altchaWorker: string;
  logo?: string;
}

interface Asset {
  path: string;
  type: string;
  body: Uint8Array;
}

const YEAR = 'public, max-age=31536000, immutable';

export interface PageAssets {
  urls: AssetUrls;
  routes: Hono;
}

export function pageAssets(options: { theme: Theme; logoFile?: string; logger: Logger }): PageAssets {
  const altcha = altchaDir();
  const files: Record<Exclude<keyof AssetUrls, 'logo'>, Asset> = {
    css: text('/assets/hush.css', 'text/css', pageCss(options.theme)),
    js: text('/assets/hush.js', 'text/javascript', CLIENT_SCRIPT),
    altchaJs: file('/assets/altcha.js', 'text/javascript', join(altcha, 'external', 'altcha.js')),
    altchaCss: file('/assets/altcha.css', 'text/css', join(altcha, 'external', 'altcha.css')),
    altchaWorker: file('/assets/altcha-sha.js', 'text/javascript', join(altcha, 'workers', 'sha.js')),
  };
  const all: Asset[] = Object.values(files);
  const urls = Object.fromEntries(Object.entries(files).map(([k, a]) => [k, versioned(a)])) as unknown as AssetUrls;
  if (options.logoFile !== undefined) {
    try {
      const ext = extname(options.logoFile).toLowerCase();
      const logo: Asset = { path: `/assets/logo${ext}`, type: ext === '.svg' ? 'image/svg+xml' : 'image/png', body: readFileSync(options.logoFile) };
      all.push(logo);
      urls.logo = versioned(logo);
    } catch (err) {
      // A missing logo should not take the sign-in pages down: they show the product name alone.
      options.logger.warn({ err, logoFile: options.logoFile }, 'the logo file could not be read; pages show the product name only');
    }
  }
  const routes = new Hono();
  for (const a of all) {
    routes.get(a.path, (c) => {
      c.header('Content-Type', a.type);
      c.header('Cache-Control', YEAR);
      // An SVG opened on its own must not run script: sandbox it.
      if (a.type === 'image/svg+xml') c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      return c.body(a.body.slice());
    });
  }
  return { urls, routes };
}

function text(path: string, type: string, body: string): Asset {
  return { path, type: `${type}; charset=utf-8`, body: new TextEncoder().encode(body) };
}

function file(path: string, type: string, from: string): Asset {
  return { path, type: `${type}; charset=utf-8`, body: readFileSync(from) };
}

function versioned(a: Asset): string {
  return `${a.path}?v=${createHash('sha256').update(a.body).digest('hex').slice(0, 12)}`;
}

/** The altcha package's dist folder, found the way Node resolves the package. */
function altchaDir(): string {
  const require = createRequire(import.meta.url);
  // `altcha/external` resolves (for require) to dist/external/altcha.umd.cjs.
  return dirname(dirname(require.resolve('altcha/external')));
}
