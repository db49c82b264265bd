import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { compileRule } from './compile.js';
import type { RuleProblem } from './compile.js';
import type { Rule } from './rule.js';
import { ruleSchema } from './rule-schema.js';

/** One problem in one rule file: where it is and what is wrong, in words a person can act on. */
export interface RuleFileError {
  file: string;
  /** `cases[1].threshold`, or empty for the whole file. */
  path: string;
  line: number | undefined;
  column: number | undefined;
  message: string;
}

export function formatRuleError(e: RuleFileError): string {
  const where = e.line === undefined ? e.file : `${e.file}:${e.line}:${e.column ?? 1}`;
  return `${where}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`;
}

/** Thrown when any rule file is bad; `errors` has every problem of every file. */
export class RuleLoadError extends Error {
  readonly errors: readonly RuleFileError[];

  constructor(errors: readonly RuleFileError[]) {
    super(errors.map(formatRuleError).join('\n'));
    this.name = 'RuleLoadError';
    this.errors = errors;
  }
}

/** The folder of the shipped default rules (`rules/` at the package root, from src/ or dist/). */
export function defaultRulesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'rules', 'rule.schema.json'))) return join(dir, 'rules');
    dir = dirname(dir);
  }
  throw new Error('the shipped rules folder was not found next to the package');
}

function pathText(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out;
}

/** Parses and validates one rule file's text. Never throws for bad content: it returns the problems. */
export function parseRuleText(text: string, file: string): { rule: Rule | undefined; errors: RuleFileError[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): { line: number | undefined; column: number | undefined } => {
    if (offset === undefined) return { line: undefined, column: undefined };
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    return { rule: undefined, errors: doc.errors.map((e) => ({ file, path: '', ...at(e.pos[0]), message: `not valid YAML: ${e.message.split('\n')[0] ?? ''}` })) };
  }
  const locate = (path: readonly (string | number | symbol)[]): { line: number | undefined; column: number | undefined } => nodeOffset(doc, path, at);
  const parsed = ruleSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      rule: undefined,
      errors: parsed.error.issues.map((issue) => ({ file, path: pathText(issue.path), ...locate(issue.path), message: issue.message })),
    };
  }
  const compiled = compileRule(parsed.data, file);
  if (compiled.rule === undefined) {
    return { rule: undefined, errors: compiled.problems.map((p: RuleProblem) => ({ file, path: pathText(p.path), ...locate(p.path), message: p.message })) };
  }
  return { rule: compiled.rule, errors: [] };
}

/** The nearest node on the path that exists in the document, so a missing key points at its parent. */
function nodeOffset(
  doc: Document,
  path: readonly (string | number | symbol)[],
  at: (o: number | undefined) => { line: number | undefined; column: number | undefined },
): { line: number | undefined; column: number | undefined } {
  const keys = path.filter((p): p is string | number => typeof p !== 'symbol');
  for (let n = keys.length; n >= 0; n--) {
    const node: unknown = doc.getIn(keys.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return at(range[0]);
  }
  return { line: undefined, column: undefined };
}

/** The `.yaml`/`.yml` files of a folder, sorted so that load order is visible and stable. */
export function ruleFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RuleLoadError([{ file: dir, path: '', line: undefined, column: undefined, message: 'is not a folder' }]);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads every rule of the given folders, in order (the shipped defaults first,
 * then HUSH_RULES_DIR). A later rule with the same id replaces an earlier one,
 * so a team can tune a default by copying its file. Throws RuleLoadError with
 * every problem when any file is bad; a rule with `enabled: false` is dropped.
 */
export function loadRules(dirs: readonly string[], options: { cwd?: string } = {}): Rule[] {
  const byId = new Map<string, Rule>();
  const errors: RuleFileError[] = [];
  for (const dir of dirs) {
    const seen = new Map<string, string>();
    for (const path of ruleFiles(dir)) {
      const file = options.cwd === undefined ? path : relative(options.cwd, path);
      const { rule, errors: problems } = parseRuleText(readFileSync(path, 'utf8'), file);
      errors.push(...problems);
      if (!rule) continue;
      const twin = seen.get(rule.id);
      if (twin !== undefined) {
        errors.push({ file, path: 'id', line: undefined, column: undefined, message: `"${rule.id}" is also the id of ${twin}` });
        continue;
      }
      seen.set(rule.id, file);
      byId.set(rule.id, rule);
    }
  }
  if (errors.length > 0) throw new RuleLoadError(errors);
  return [...byId.values()].filter((r) => r.enabled);
}
