// When a law wants a public (substitute) notice in place of, or beside, the notice to each person: typed
// data beside the obligation rules, one entry per rule id, versioned and cited like them. Conditions are
// data too, checked against the facts of the campaigns (who could not be notified one by one) and the
// facts only the responders know (the cost of notifying each person, a decision of disproportionate effort).

/** What a public notice consists of. */
export type SubstituteMeans =
  /** A conspicuous posting on the company's own website (the export bundle; the service's public page). */
  | 'website'
  /** Notice to major print or broadcast media (statewide where the statute says so). */
  | 'media'
  /** Email to the people whose email address is known. */
  | 'email'
  /** The company's app, social media or service channels (LGPD). */
  | 'app'
  /** A toll-free number answering for the posting's period (HIPAA). */
  | 'tollFreeNumber';

/** The facts a substitute-notice condition is checked against, for the residents of one rule's group. */
export interface SubstituteFacts {
  /** Affected residents. */
  residents: number;
  /** Residents with no usable contact (a minor's guardian without one included): no notice could go. */
  noContact: number;
  /** Residents who ended unreachable on every channel of their plan (bounced, invalid, unregistered). */
  allFailed: number;
  /** Residents reachable only by push: an alert, not a notice the law recognises. */
  pushOnly: number;
  /** Residents told, or reachable, only by a channel their law does not accept as the notice. */
  methodNotLawful: number;
  /** Residents not individually notified for any of those reasons (the sum, each person once). */
  unreached: number;
  /** The responders' estimate of what notifying each person would cost, in US dollars; null: not given. */
  estimatedCostUsd: number | null;
  /** The responders decided that telling each person would involve disproportionate effort (with a reason). */
  disproportionateEffort: boolean;
}

export type SubstituteCondition =
  /** Residents not individually notified (no contact, every channel failed, push only). */
  | { unreached: { atLeast: number } }
  /** Residents with no usable contact ("insufficient contact information", "contact unknown"). */
  | { noContact: { atLeast: number } }
  /** The affected residents (the number of people to be notified). */
  | { residents: { over: number } }
  /** The responders' estimate of the cost of notifying each person. */
  | { costUsd: { over: number } }
  /** The responders' recorded decision that individual notice would be disproportionate (or not practicable). */
  | { decision: 'disproportionateEffort' }
  | { anyOf: readonly SubstituteCondition[] };

export interface SubstituteNoticeRule {
  /** The obligation rule it belongs to (Rule.id): `EU-GDPR`, `US-CA`, ...; `US-HIPAA` has no rule yet. */
  ruleId: string;
  /** The day this version holds from (YYYY-MM-DD). */
  effectiveFrom: string;
  /** When a public notice is due. */
  when: SubstituteCondition;
  /** What it consists of: each means, and whether only where available (email: where the address is known). */
  means: readonly { means: SubstituteMeans; note?: string }[];
  /** How many days it must stay up, at least; null: the law sets none that the sources show. */
  minimumDays: number | null;
  /** The minimum period is recalled or from a secondary source the reference marks `?`. */
  minimumUncertain?: boolean;
  /**
   * Publishing it stands in for the notice to the residents not reached one by one (their individuals'
   * obligation is met by it); false: it is told beside the individual notice, which stays open.
   */
  replacesIndividualNotice: boolean;
  /** In one sentence, what must be done (the obligation's `what`). */
  what: string;
  /** Source keys (as in the rule's sources and breach-law.md section 6). */
  sources: readonly string[];
  /** What is unsettled, and the stricter reading taken. */
  notes?: string;
}
