import type { SubstituteFacts } from './substitute-notice.types.js';

// The shape of the breach-notification rules: typed data, one module per regime, each rule with its
// sources, its effective date and a worked case in rules.spec.ts. Conditions are data too (not
// functions), so a rule reads the same in review, in the obligations it explains, and in a report.

export type RiskLevel = 'low' | 'medium' | 'high';

/** What starts an obligation's clock. */
export type ClockStart =
  /** The incident's `discoveredAt`: the company became aware (GDPR, UK, China, Japan, Korea, India). */
  | 'awareness'
  /**
   * The incident's `discoveredAt`, where the statute says "discovery" (California, New York, Washington):
   * the same instant as awareness, in the statute's word.
   */
  | 'discovery'
  /**
   * Florida's "determination of the breach or reason to believe a breach occurred": whichever came first,
   * the incident's `discoveredAt` (reason to believe) or its move to `confirmed`.
   */
  | 'determinationOrBelief'
  /** The breach was determined or confirmed: the incident moved to `confirmed` (PIPEDA, Australia). */
  | 'determination'
  /**
   * Texas's "determines that the breach occurred": the incident's move to `confirmed`, or its
   * `discoveredAt` while it has none. An incident never confirmed still owes its notices (the stricter
   * reading): its due dates run from awareness until a confirmation is recorded.
   */
  | 'determinationOrAwareness'
  /**
   * The assessment concluded that it is notifiable: also the move to `confirmed` (Singapore s 26D). With
   * the obligation's `startsBy`, no later than the time the assessment is expected by.
   */
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

/** Affected residents who had exactly these data categories exposed (one row per distinct set). */
export interface Exposure {
  categories: readonly string[];
  residents: number;
}

/** The residents whose data meeting one of the rule's definitions was exposed (see {@link Definition}). */
export interface Meeting {
  /** The definition's term, with its provision: "personal information (Cal. Civ. Code 1798.82(h))". */
  term: string;
  /** Every affected resident counts: the definition is all personal data. */
  everyone: boolean;
  residents: number;
  /** What met it: the exposed categories the definition holds (configured ones it does not know included). */
  categories: string[];
}

/** The facts a condition is checked against, for one jurisdiction (or a group, such as the EU). */
export interface ObligationFacts {
  /** Affected residents in the jurisdiction (people in the frozen affected set). */
  residents: number;
  minors: number;
  /**
   * Residents under 18 (the minors among them whatever their flag says): Brazil's children and
   * adolescents. Absent (a case written by hand): the minors.
   */
  under18?: number;
  /** Data categories exposed for these residents (their categories intersected with the incident's). */
  categories: string[];
  /**
   * The residents by what was exposed of them, so a threshold counts only those whose data meets the law's
   * definition (117 California residents with credentials exposed among 501 affected are 117). Absent
   * (a case written by hand): every resident is taken to have every category of `categories`.
   */
  exposures?: readonly Exposure[];
  /** Per definition key of the rule, who met it: filled by computeObligations from `exposures`. */
  meeting?: Readonly<Record<string, Meeting>>;
  riskLevel: RiskLevel | null;
  /** Whether the data was encrypted with a key not exposed; null when unknown. */
  encrypted: boolean | null;
  /** The breach was a cyber attack (an unlawful act by a third party); null when unknown. */
  cyberAttack: boolean | null;
  /** Done, or possibly done, for an unlawful purpose (an attack or an insider's misuse); null when unknown. */
  unlawfulPurpose?: boolean | null;
  /**
   * The accounts can pay or send money (a payment function: Japan's PPC guidelines make leaked logins of
   * such a service a risk of property damage); null when not known (configuration, ACCOUNT_PAYMENTS).
   */
  paymentFunction?: boolean | null;
  /**
   * Who was not individually notified (from the campaigns) and the responders' cost and effort facts: the
   * substitute-notice rules read these. Absent: not known (no public-notice obligation is raised).
   */
  substitute?: SubstituteFacts;
}

/**
 * What a law counts as the personal information its duties are about, over the app's data categories
 * (common/data-categories.ts): the categories that meet it, as groups or finer ones. A finer category
 * meets it when its group is listed, and a group exposed when one of its listed members may be in it (the
 * stricter reading, `heldAmong`). A category configured beyond the app's (EXTRA_DATA_CATEGORIES) is not
 * classified by any rule, so it meets every definition: the stricter reading, said in the reason.
 */
export interface Definition {
  /** What the law calls it, with the provision. */
  term: string;
  /** The app's categories that meet it; absent: all personal data, every affected resident counts. */
  categories?: readonly string[];
  /** Source keys of the rule behind the mapping. */
  sources: readonly string[];
  /** Why a category is in or out, where it is not plain. */
  notes?: string;
}

/** The definition a threshold counts by when it names none. */
export const PERSONAL_INFORMATION = 'personalInformation';

export type Condition =
  /**
   * The number of affected residents whose data meeting a definition of the rule was exposed (`whose`, by
   * default its personal information): `over` is strictly more than, `atLeast` at least.
   */
  | { residents: { over?: number; atLeast?: number; whose?: string } }
  /** At least one resident's data meeting this definition of the rule was exposed. */
  | { exposed: string }
  /** Whether the accounts have a payment function (see ObligationFacts.paymentFunction). */
  | { paymentFunction: boolean }
  | { risk: { atLeast: RiskLevel } }
  | { encrypted: boolean }
  | { cyberAttack: boolean }
  | { unlawfulPurpose: boolean }
  /**
   * At least one of these data categories may have been exposed: a group counts for each of its finer
   * members and a member for its group (common/data-categories.ts `mayHold`, the stricter reading).
   */
  | { categoriesAny: readonly string[] }
  /** People under 18 affected (`under18`): children and adolescents, whatever the local age of consent. */
  | { under18Affected: boolean }
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
  | 'dpdp-board'
  | 'cai-qc'
  | 'cert-in';

export interface Regulator {
  /** Stable id used by the API (`POST /v1/incidents/:id/reports {regulator}`), e.g. `ico`, `de-bfdi`. */
  id: string;
  name: string;
  /**
   * How to reach it: the web form or portal, and an email or phone where one is published; `unverified`
   * when the contact is recalled, not seen in a source (check it before filing).
   */
  contact: { url: string; email?: string; phone?: string; unverified?: boolean };
  /** The form its reports follow. */
  form: ReportForm;
  /** BCP 47 language its reports are written in (English where none is required). */
  language: string;
  /** IANA zone its business days and deadlines are counted in. */
  timeZone: string;
  /** The public-holiday calendar for business days (date-holidays country and optional state). */
  holidays: { country: string; state?: string };
}

/** `public`: a public or substitute notice (substitute-notice.ts), raised from who was not reached. */
export type Audience =
  'regulator' | 'individuals' | 'consumer-reporting-agencies' | 'media' | 'public' | 'other';
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
  /**
   * The latest the clock starts, counted from awareness, where the regulator expects the event that starts
   * it within a time (Singapore: the assessment within 30 days of awareness): the clock starts then if the
   * event has not come before, so a late or missing assessment does not push the due date back (the
   * stricter reading). Its sources are among the obligation's.
   */
  startsBy?: { within: Extract<Deadline, { kind: 'within' }>; why: string };
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
  /**
   * What the law counts, by key: `personalInformation` (every rule has it) and any other a condition names
   * (`residents.whose`, `exposed`), each mapped to the app's data categories and cited.
   */
  definitions: Readonly<Record<string, Definition>> & { personalInformation: Definition };
  /**
   * A rule that adds to the one a jurisdiction otherwise has, instead of replacing it: Quebec's Act beside
   * PIPEDA, CERT-In's Directions beside (or before) the DPDP Rules. Both apply; the stricter reading where
   * a province's or a second regime's duties sit on top of the federal ones.
   */
  cumulative?: boolean;
  /**
   * Countries where the competent authority follows the company's seat inside the country, with the words
   * that say how to choose it (Germany: the Land, BDSG §40, named by GERMAN_LAND); the choice comes in
   * ComputeOptions.seats as a key of `regulator`.
   */
  seatAuthority?: Readonly<Record<string, string>>;
  /**
   * The record the law asks to keep of every breach, notifiable or not (the breach register): what, and for
   * how long from when (no `keep`: the law sets no period, so the record is kept as long as the incident).
   */
  records?: {
    what: string;
    keep?: { years?: number; months?: number; from: 'awareness' | 'determination' };
    sources: readonly string[];
  };
  /**
   * An order the law sets between the notices: individuals are told only on or after the rule's regulator
   * was notified (Singapore, PDPA s 26D(2)). Until that report (`afterReport`, its phase) is recorded as
   * submitted, the planner holds the jurisdiction's residents back, and plans them once it is.
   */
  ordering?: { afterReport: Phase; why: string; sources: readonly string[] };
  /** When a public or substitute notice is required or allowed, in words, with its source. */
  publicNotice: string;
  /** Age under which a person is a child for this law (see also src/jurisdictions/consent-ages.ts). */
  childAge?: number;
  sources: readonly Source[];
  /** What is unsettled or simplified here, in words. */
  notes?: string;
}
