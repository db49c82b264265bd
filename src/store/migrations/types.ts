/** A versioned migration: statements applied in order, in one transaction. */
export interface Migration {
  version: number;
  name: string;
  up: readonly string[];
}
