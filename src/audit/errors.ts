/**
 * The audit could not run or produced no evidence (bad spec, unreachable
 * target, a target that rate-limits the audit). The CLI turns it into exit 2;
 * the audit layer does not import the CLI.
 */
export class AuditError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditError';
  }
}
