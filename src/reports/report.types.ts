import type { ChronologyKind } from '../incidents/regulator-text.js';
import type { Phase, Regulator } from '../jurisdictions/rules/rule.types.js';

// What a regulator report is built from (ReportFacts, gathered by ReportsService from the incident, the
// affected set, the deliveries and the timeline) and what it is (ReportDocument, stored as JSON, hashed,
// and rendered to HTML and PDF). Building is a pure function of the facts, so each form is unit-tested.

export interface DeliveryCounts {
  /** Recipients with a notice planned on this channel (or in this jurisdiction). */
  planned: number;
  /** Accepted by the provider. */
  sent: number;
  /** Confirmed delivered by the provider's webhook. */
  delivered: number;
  /** Failed for good on this channel (bounce, invalid address, STOP, unregistered token). */
  failed: number;
  /** No channel left: not reached individually. */
  unreachable: number;
  /** Said "I have read this" on their personal notice page. */
  acknowledged: number;
}

export interface ReportFacts {
  generatedAt: Date;
  organization: {
    name: string;
    privacyContactEmail: string;
    dpoContact: string | null;
    /** The company's postal address (POSTAL_ADDRESS); null when not configured. */
    postalAddress: string | null;
    /** Whether a written information security programme is maintained; null when not said. */
    writtenSecurityProgram: boolean | null;
  };
  regulator: Regulator;
  /** Jurisdiction codes this report covers (an EU authority may cover one country, or all with one-stop-shop). */
  jurisdictions: string[];
  phase: Phase;
  incident: {
    reference: string;
    title: string;
    description: string | null;
    nature: string[];
    cause: string | null;
    cyberAttack: boolean | null;
    howDiscovered: string | null;
    occurredFrom: Date | null;
    occurredTo: Date | null;
    discoveredAt: Date;
    /** When the breach was confirmed (moved to `confirmed`), if it was. */
    confirmedAt: Date | null;
    containedAt: Date | null;
    systems: string[];
    dataCategories: string[];
    encrypted: boolean | null;
    encryptionDetails: string | null;
    approximateRecords: number | null;
    likelyConsequences: string | null;
    measuresTaken: string | null;
    measuresPlanned: string | null;
    securityMeasuresBefore: string | null;
    adviceToIndividuals: string | null;
    remedies: string | null;
    otherOrganisationsTold: string | null;
    riskLevel: 'low' | 'medium' | 'high' | null;
    riskReasoning: string | null;
    /** Law enforcement investigating the breach; null: not known (Texas). */
    lawEnforcementInvestigating: boolean | null;
  };
  /**
   * The incident's free-text facts not in the report's language (no translation for it): listed, so a
   * regulator's report never reads as translated when it is not.
   */
  untranslated: string[];
  /**
   * Children among the affected people as this form defines them (the ICO and the ANPD: under 18), from
   * the birth dates the directory holds; null where the form counts minors by the local age (`affected`).
   */
  children: { under: number; count: number; withBirthDate: number } | null;
  /** The reference the regulator gave the initial report (its case number), when it was filed with one. */
  initialReference: string | null;
  /** The copy of the notice sent, per variant and channel, as the campaigns kept it (the AGs ask for it). */
  noticeCopies: { channel: string; locale: string; variant: string; subject: string | null; text: string }[];
  /** The deadline that applied to this report (the regulator's own law), and whether it was met. */
  deadline: { dueAt: Date | null; wording: string; basis: string };
  /** Everyone in the incident's frozen affected set, whatever their jurisdiction; null before a freeze. */
  allAffected: number | null;
  /** The frozen affected set, limited to the jurisdictions covered; null when no scope was frozen yet. */
  affected: {
    total: number;
    byJurisdiction: Record<string, number>;
    byCategory: Record<string, number>;
    minors: number;
  } | null;
  handling: {
    total: DeliveryCounts;
    byChannel: Record<'email' | 'sms' | 'push', DeliveryCounts>;
    byJurisdiction: Record<string, DeliveryCounts>;
    /** Notices sent, delivered and failed per hour (UTC), for the chart. */
    overTime: { hour: string; sent: number; delivered: number; failed: number }[];
    campaigns: { id: string; status: string; startedAt: Date | null; finishedAt: Date | null }[];
  };
  /** Null until a public Security Notice is published (not built yet: always null). */
  publicNotice: { url: string; publishedAt: Date; languages: string[] } | null;
  /**
   * The incident's own story, oldest first: the dates it records (began, aware, contained, confirmed, the
   * first notice) and the responders' chronology, in the report's language. Never the system's events.
   */
  chronology: {
    at: Date;
    kind: ChronologyKind | 'discovered' | 'occurred' | 'contained' | 'confirmed' | 'notified';
    text: string | null;
  }[];
  /** The obligations to this regulator, as computed now. */
  obligations: { what: string; phase: Phase | null; dueAt: Date | null; state: string }[];
  /** Past the deadline of this phase's obligation when generated. */
  late: boolean;
  delayReasons: string | null;
}

export interface ReportField {
  /** Stable key, the same in every language: `gdpr.a.nature`, `ico.2.discoveredAt`, ... */
  key: string;
  /** In the report's language. */
  label: string;
  /** Text, number or list; null when the fact is missing (then `missing` is true). */
  value: string | number | string[] | null;
  missing: boolean;
  /** Where the law asks for it: "GDPR Art. 33(3)(a)". */
  basis?: string;
  /**
   * The law lists it with no "if any" and no later complement for it: a report missing it is generated,
   * so the responders see the gap, but not approved (the LGPD's security measures, Art. 48 §1 III).
   */
  required?: true;
}

export interface ReportTable {
  columns: string[];
  rows: (string | number)[][];
}

export interface ReportSection {
  key: string;
  title: string;
  fields: ReportField[];
  tables?: ReportTable[];
}

export interface ReportChange {
  key: string;
  label: string;
  before: ReportField['value'];
  after: ReportField['value'];
}

export interface ReportDocument {
  form: string;
  language: string;
  title: string;
  regulator: { id: string; name: string };
  phase: Phase;
  incident: { reference: string; title: string };
  generatedAt: string;
  sections: ReportSection[];
  /** Labels of every field that is missing, so none is left blank silently. */
  missing: { key: string; label: string }[];
  /** Labels of the fields whose text is the incident's own words, not in the report's language. */
  untranslated?: { key: string; label: string }[];
  /** Follow-up and final reports: what changed since the previous report to this regulator. */
  changes: ReportChange[] | null;
  /** For the chart: per hour, notices sent, delivered and failed. */
  deliveriesOverTime: { hour: string; sent: number; delivered: number; failed: number }[];
}
