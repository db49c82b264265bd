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

/**
 * One request of a sequence. It may use `{{id}}`, the run's values
 * (`{{password}}`, `{{client}}`), `{{fresh}}` (a new unknown identifier each
 * time it appears) and what earlier steps extracted.
 */
export interface Step {
  name: string;
  url: string;
  method: string;
  headers: [string, string][];
  body?: BodyTemplate;
  /** Values taken from this step's reply, for later steps. */
  extract: Record<string, Extractor>;
}

/** A request sent after each run of a probe, whose reply and time are compared across the classes of that run. */
export interface Observer {
  url: string;
  method: string;
  headers: [string, string][];
  body?: BodyTemplate;
  /** Wait this long after the run before observing (work a server does later: an outbox, detection). */
  waitMs: number;
  /** Also read it before the run, and compare what changed (a counter) as well as what it says. */
  before: boolean;
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
  /** A sequence run for one identifier in order; absent: the request above, `repeat` times. */
  steps?: Step[];
  /** Send the request this many times in a row for one identifier (lockouts, per-account limits); default 1. */
  repeat?: number;
  /** Indices (0-based) of the steps whose replies are compared; default every step. */
  compare?: number[];
  observe?: Observer;
  /** Most samples per class for this probe (a sequence costs several requests per sample). */
  samples?: number;
}

/** A reply as the auditor compares it: header order and repeated headers preserved. */
export interface Reply {
  status: number;
  /** Lower-case names, in the order received. */
  headers: [string, string][];
  body: string;
  /** Header names as the server wrote them (case is observable; the lower-case names above are what is compared by meaning). */
  rawNames?: string[];
  /** For an observer read before and after a run: the reply before, so what changed is compared too. */
  before?: Reply;
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
  /** Which reply of the run: `step 2 (login)`, `observer GET /healthz`; absent for a probe of one request. */
  part?: string;
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
  /** The smallest difference this verdict could have seen at its α: µs for time, a share of replies for content. */
  smallest: string;
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
  /** Every part's verdicts, each naming its part when there is more than one. */
  verdicts: Verdict[];
  /** The first compared part's timing. */
  timing: TimingSummary;
  /** Each compared reply of a run (steps, observer) with its timing, when there is more than one. */
  parts?: { name: string; timing: TimingSummary }[];
}

export interface AuditReport {
  tool: 'hush audit';
  startedAt: string;
  finishedAt: string;
  alpha: number;
  /** Number of tests the family-wise α is divided over (every compared reply of every endpoint × tests). */
  bonferroni: number;
  mode: 'http1' | 'h2';
  endpoints: EndpointReport[];
  finding: boolean;
}
