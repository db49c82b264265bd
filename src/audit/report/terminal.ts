import { fmt } from '../analyze.js';
import type { AuditReport } from '../types.js';

/**
 * The terminal report: one line per endpoint and channel, the evidence under
 * each finding, and a last line that says what the exit code says.
 */
export function renderTerminal(report: AuditReport, color: boolean): string {
  const paint = (code: string, s: string): string => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const e of report.endpoints) {
    const leaks = e.verdicts.some((v) => v.finding);
    lines.push(
      `${paint('1', e.name)}  ${e.method} ${e.url}  ${paint(leaks ? '31' : '32', leaks ? 'LEAKS' : 'no finding')}  (${e.samplesPerClass} samples per class${e.stoppedEarly ? ', stopped early' : ''})`,
    );
    let part: string | undefined;
    for (const v of e.verdicts) {
      if (v.part !== undefined && v.part !== part) lines.push(`  ${paint('1', v.part)}`);
      part = v.part;
      const mark = v.finding ? paint('31', 'FINDING') : paint('32', 'ok     ');
      const p = v.p === null ? '' : `  p=${v.p.toExponential(1)} α=${v.alpha.toExponential(1)}`;
      lines.push(`  ${v.channel.padEnd(8)}${mark}  ${v.summary}${p}`);
      if (v.finding) for (const ev of v.evidence) lines.push(`            ${ev}`);
    }
    const mdd = Math.max(...(e.parts ?? [{ timing: e.timing }]).map((p) => p.timing.mddMicros));
    lines.push(`  smallest timing difference this run could see: ${fmt(mdd)} µs${e.parts === undefined ? '' : ' (on the least precise of its compared replies)'}`);
    lines.push('');
  }
  lines.push(
    report.finding
      ? paint('31', `hush audit: existing accounts can be told from unknown ones (α = ${report.alpha}, Bonferroni over ${report.bonferroni} tests)`)
      : paint('32', `hush audit: no finding at α = ${report.alpha} (Bonferroni over ${report.bonferroni} tests)`),
  );
  return `${lines.join('\n')}\n`;
}
