import type { BodyTemplate } from './types.js';

/**
 * Fills `{{name}}` placeholders in a request template. Values are escaped for
 * where they land (inside a JSON string, a form field, a URL), so an
 * identifier with a quote or an ampersand cannot change the request's shape.
 */
export function fill(template: string, values: Readonly<Record<string, string>>, escape: (v: string) => string): string {
  return template.replace(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g, (whole, name: string) => {
    const v = values[name];
    return v === undefined ? whole : escape(v);
  });
}

export function escapeJsonString(v: string): string {
  return JSON.stringify(v).slice(1, -1);
}

export function renderBody(body: BodyTemplate, values: Readonly<Record<string, string>>): { text: string; contentType: string } {
  switch (body.kind) {
    case 'json':
      return { text: fill(body.template, values, escapeJsonString), contentType: 'application/json' };
    case 'form':
      return { text: fill(body.template, values, encodeURIComponent), contentType: 'application/x-www-form-urlencoded' };
    case 'raw':
      return { text: fill(body.template, values, (v) => v), contentType: body.contentType ?? 'text/plain' };
  }
}

export function renderUrl(url: string, values: Readonly<Record<string, string>>): string {
  return fill(url, values, encodeURIComponent);
}

/** Placeholders a template uses, to check that every probe mentions `{{id}}` somewhere. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g)].map((m) => m[1]!);
}
