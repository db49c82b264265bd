/** The vocabulary of an audit: probes, replies, samples, verdicts. */

export type AuditClass = 'known' | 'unknown';

/** How the request body is written: `{{id}}` and setup values are escaped for the format. */
export interface BodyTemplate {
  kind: 'json' | 'form' | 'raw';
  template: string;
  /** Content-Type for `raw` bodies; json and form set their own. */
  contentType?: string;
}

/** Where a setup request's value comes from (e.g. a CSRF token). */
export interface Extractor {
  from: 'body' | 'header' | 'cookie';
  /** Header or cookie name; for `body`, a JSON path like `csrf` or `data.token`. */
  name?: string;
  /** For `body`: a regular expression whose first group is the value. */
  pattern?: string;
}

/** A request run before probing (once, or before every probe) whose cookies and extracted values the probes use. */
export interface SetupSpec {
  url: string;
  method: string;
  headers: [string, string][];
  body?: BodyTemplate;
  extract: Record<string, Extractor>;
  /** Run before every probe request (untimed) rather than once. */
  each: boolean;
}

/** One endpoint to test: a known-existing identifier list and a template for the request. */
export interface Probe {
  name: string;
  url: string;
  method: string;
  headers: [string, string][];
  body?: BodyTemplate;
  known: string[];
  setup?: SetupSpec;
}

/** A reply as the auditor compares it: header order and repeated headers preserved. */
export interface Reply {
  status: number;
  /** Lower-case names, in the order received. */
  headers: [string, string][];
  body: string;
}

/** One measured request. */
export interface Sample {
  cls: AuditClass;
  /** Last byte sent to first byte received, in microseconds. */
  micros: number;
  reply: Reply;
}

export type Channel = 'status' | 'headers' | 'body' | 'time';

/** The decision for one endpoint on one channel. */
export interface Verdict {
  channel: Channel;
  finding: boolean;
  /** The test(s) used, e.g. "Fisher exact per value" or "Mann-Whitney U + bootstrap deciles". */
  test: string;
  /** Smallest p-value seen (before correction); null when the channel could not be tested. */
  p: number | null;
  /** The α this channel was decided at, after Bonferroni and alpha spending. */
  alpha: number;
  /** One line a person reads first. */
  summary: string;
  /** Evidence lines: a minimal diff, or the compared quantiles. */
  evidence: string[];
}

export interface TimingSummary {
  known: number[];
  unknown: number[];
  /** Smallest shift (µs) the run would have detected with 95 % power. */
  mddMicros: number;
  /** Median(unknown) − median(known), µs. */
  medianDiffMicros: number;
  mannWhitney: { z: number; p: number; auc: number };
  /** Wilcoxon signed-rank on the differences of back-to-back (known, unknown) pairs. */
  signedRank: { z: number; p: number; pairs: number };
  deciles: { p: number; known: number; unknown: number; diff: number; se: number; pValue: number }[];
  order?: { pairs: number; knownFirst: number; p: number };
}

export interface EndpointReport {
  name: string;
  method: string;
  url: string;
  samplesPerClass: number;
  stoppedEarly: boolean;
  verdicts: Verdict[];
  timing: TimingSummary;
}

export interface AuditReport {
  tool: 'hush audit';
  startedAt: string;
  finishedAt: string;
  alpha: number;
  /** Number of tests the family-wise α is divided over (endpoints × tests). */
  bonferroni: number;
  mode: 'http1' | 'h2';
  endpoints: EndpointReport[];
  finding: boolean;
}
