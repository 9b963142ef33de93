// The shape of the breach-notification rules: typed data, one module per regime, each rule with its
// sources, its effective date and a worked case in rules.spec.ts. Conditions are data too (not
// functions), so a rule reads the same in review, in the obligations it explains, and in a report.

export type RiskLevel = 'low' | 'medium' | 'high';

/** What starts an obligation's clock. */
export type ClockStart =
  /** The incident's `discoveredAt`: the company became aware (GDPR, UK, China, Japan, Korea, India). */
  | 'awareness'
  /** The breach was determined or confirmed: the incident moved to `confirmed` (US states, PIPEDA). */
  | 'determination'
  /** The assessment concluded that it is notifiable: also the move to `confirmed` (Singapore s 26D). */
  | 'assessment'
  /** The first notice to a resident of the jurisdiction left (California's sample copy to the AG). */
  | 'individualsNotified'
  /** The initial report of the same regulator was filed (Brazil's complement, Japan's final report). */
  | 'initialReportFiled';

export type Deadline =
  | {
      kind: 'within';
      amount: number;
      unit: 'hours' | 'days' | 'businessDays';
    }
  /** No fixed number in the law ("as soon as practicable", "without undue delay"): no due date. */
  | { kind: 'asap'; wording: string };

/** The facts a condition is checked against, for one jurisdiction (or a group, such as the EU). */
export interface ObligationFacts {
  /** Affected residents in the jurisdiction (people in the frozen affected set). */
  residents: number;
  minors: number;
  /** Data categories exposed for these residents (their categories intersected with the incident's). */
  categories: string[];
  riskLevel: RiskLevel | null;
  /** Whether the data was encrypted with a key not exposed; null when unknown. */
  encrypted: boolean | null;
  /** The breach was a cyber attack (an unlawful act by a third party); null when unknown. */
  cyberAttack: boolean | null;
}

export type Condition =
  /** The number of affected residents: `over` is strictly more than, `atLeast` at least. */
  | { residents: { over?: number; atLeast?: number } }
  | { risk: { atLeast: RiskLevel } }
  | { encrypted: boolean }
  | { cyberAttack: boolean }
  /**
   * At least one of these data categories may have been exposed: a group counts for each of its finer
   * members and a member for its group (common/data-categories.ts `mayHold`, the stricter reading).
   */
  | { categoriesAny: readonly string[] }
  | { minorsAffected: boolean }
  | { anyOf: readonly Condition[] }
  | { allOf: readonly Condition[] }
  | { not: Condition };

/** The regulator's report forms that src/reports knows how to fill. */
export type ReportForm =
  | 'gdpr-art33'
  | 'ico'
  | 'us-state-ag'
  | 'pipeda'
  | 'lgpd-anpd'
  | 'pipl-cac'
  | 'pdpa-pdpc'
  | 'au-oaic'
  | 'appi-ppc'
  | 'pipa-pipc'
  | 'dpdp-board';

export interface Regulator {
  /** Stable id used by the API (`POST /v1/incidents/:id/reports {regulator}`), e.g. `ico`, `de-bfdi`. */
  id: string;
  name: string;
  /** How to reach it: the web form or portal, and an email or phone where one is published. */
  contact: { url: string; email?: string; phone?: string };
  /** The form its reports follow. */
  form: ReportForm;
  /** BCP 47 language its reports are written in (English where none is required). */
  language: string;
  /** IANA zone its business days and deadlines are counted in. */
  timeZone: string;
  /** The public-holiday calendar for business days (date-holidays country and optional state). */
  holidays: { country: string; state?: string };
}

export type Audience = 'regulator' | 'individuals' | 'consumer-reporting-agencies' | 'media' | 'other';
export type Phase = 'initial' | 'follow-up' | 'final';

export interface ObligationSpec {
  /** Unique within the rule: `regulator`, `regulator.final`, `individuals`, `ag.sample-copy`, ... */
  key: string;
  audience: Audience;
  /** Who is told when it is not the rule's regulator (individuals: "affected residents"). */
  recipient?: string;
  /** Reports to the regulator: which phase this obligation is. */
  phase?: Phase;
  /** What must be done, in one sentence. */
  what: string;
  clock: ClockStart;
  deadline: Deadline;
  /** When the obligation applies (thresholds); absent means always. */
  when?: Condition;
  /** Exemptions: the first that holds makes the obligation not applicable, with its reason. */
  exemptIf?: readonly { condition: Condition; reason: string }[];
  /** Source keys (see Rule.sources) behind this obligation. */
  sources: readonly string[];
}

export interface Source {
  /** Key as in ../shared/reference/breach-law.md section 6 (G1, CA1, ...). */
  key: string;
  citation: string;
  url: string;
  /** `verified`: seen in the source; `secondary`: a law firm or vendor; `unverified`: recalled, marked ?. */
  status: 'verified' | 'secondary' | 'unverified';
}

export interface Rule {
  /** Stable id: `EU-GDPR`, `GB`, `US-CA`, `BR`, ... */
  id: string;
  /** The day this version holds from (YYYY-MM-DD); the rule in effect on the day of awareness is used. */
  effectiveFrom: string;
  /** Short name of the law: "California Civil Code 1798.82 (SB 446)". */
  law: string;
  /** Jurisdiction codes it covers: countries (`DE`) or subdivisions (`US-CA`); a country covers its subdivisions. */
  jurisdictions: readonly string[];
  /**
   * Who receives regulator reports. Per jurisdiction where each has its own (the EU's supervisory
   * authorities, keyed by country), or one for all.
   */
  regulator: Regulator | Readonly<Record<string, Regulator>>;
  obligations: readonly ObligationSpec[];
  /** When a public or substitute notice is required or allowed, in words, with its source. */
  publicNotice: string;
  /** Age under which a person is a child for this law (see also src/jurisdictions/consent-ages.ts). */
  childAge?: number;
  sources: readonly Source[];
  /** What is unsettled or simplified here, in words. */
  notes?: string;
}
