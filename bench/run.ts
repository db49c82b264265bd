/**
 * `npm run bench -- NAME [args]`: runs bench/NAME.ts. Each benchmark prints its
 * figures and ends with one line `NAME: value unit (baseline …)`, a ratio to a
 * baseline measured in the same run, because the machines are shared and noisy.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2];
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3));
if (name === undefined || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- NAME\navailable: ${available.join(', ')}\n`);
  process.exit(2);
}
const file = join(here, `${name}.ts`);
if (!existsSync(file)) process.exit(2);
process.argv.splice(2, 1);
await import(pathToFileURL(file).href);
