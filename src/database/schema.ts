// Tables as code. Migrations are generated from this file (`npm run db:generate`) and checked for drift
// in CI. Keep the SQL to what PostgreSQL 15 accepts: the embedded database is PostgreSQL 18 (PGlite).
import { sql } from 'drizzle-orm';
import type { GuardianWords, MassachusettsWords, NoticeTranslations } from '../common/notice-text.js';
import { toBuffer } from './rows.js';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    /** SHA-256 of the secret: keys are 256-bit random, so a slow hash adds nothing. */
    keyHash: text('key_hash').notNull(),
    /** The first characters of the key, to tell keys apart in listings. */
    keyPrefix: text('key_prefix').notNull(),
    /**
     * Who holds the key: one person's work identity, lower-cased (keys are not people; four eyes compare
     * holders, so one person's two keys cannot draft and approve the same thing).
     */
    holder: text('holder'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
    expiresAt: at('expires_at'),
    revokedAt: at('revoked_at'),
    lastUsedAt: at('last_used_at'),
  },
  (t) => [uniqueIndex('api_keys_key_hash_idx').on(t.keyHash)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    /** The chain order: each entry's hash covers the previous entry's hash. */
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: at('at').notNull(),
    actorKeyId: uuid('actor_key_id'),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    ip: text('ip'),
    /** What changed, without personal data. */
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_log_target_idx').on(t.targetType, t.targetId, t.id),
    index('audit_log_actor_idx').on(t.actorKeyId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
    index('audit_log_at_idx').on(t.at),
  ],
);

export const auditVerifications = pgTable('audit_verifications', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: at('at').notNull().defaultNow(),
  valid: boolean('valid').notNull(),
  entries: integer('entries').notNull(),
  firstBrokenId: bigint('first_broken_id', { mode: 'number' }),
  durationMs: integer('duration_ms').notNull(),
});

/** Per-year counters behind the human references (INC-2026-0001). */
export const referenceCounters = pgTable('reference_counters', {
  scope: text('scope').primaryKey(),
  last: integer('last').notNull(),
});

/**
 * The next free send slot of each rate-limited channel, in microseconds since the epoch, when the queues
 * run on PostgreSQL (on Redis it is a key there): every process takes its slot here, one row update per
 * message, so a provider's rate holds across all of them (see src/queue/send-rate.ts).
 */
export const sendSlots = pgTable('send_slots', {
  channel: text('channel').primaryKey(),
  nextAt: bigint('next_at', { mode: 'number' }).notNull(),
});

export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    nature: text('nature')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    cause: text('cause'),
    /** A cyber attack (an unlawful act by a third party); null: not known. ICO form, Japan, Korea. */
    cyberAttack: boolean('cyber_attack'),
    /**
     * Done, or possibly done, for an unlawful purpose (an insider taking data to sell it as much as an attack
     * from outside): Japan reports it whatever the number. Null: not known.
     */
    unlawfulPurpose: boolean('unlawful_purpose'),
    howDiscovered: text('how_discovered'),
    occurredFrom: at('occurred_from'),
    occurredTo: at('occurred_to'),
    discoveredAt: at('discovered_at').notNull(),
    containedAt: at('contained_at'),
    /** Where it took place, in words an affected person understands (India's Rule 7 asks it of the notice). */
    location: text('location'),
    /** Whether notifying people was delayed at the request of law enforcement; null: not known (California). */
    lawEnforcementDelay: boolean('law_enforcement_delay'),
    /** The language the incident's own words are in (BCP 47): reports in others use the translations. */
    language: text('language').notNull().default('en'),
    /** Whether law enforcement is investigating the breach; null: not known (Texas's report asks). */
    lawEnforcementInvestigating: boolean('law_enforcement_investigating'),
    /**
     * The incident's own story for regulators, as responders tell it: dated events (detection,
     * containment, assessment, notices...), each with its words and their translations. Reports' chronology
     * is this, never the system's timeline.
     */
    chronology: jsonb('chronology')
      .$type<Array<{ at: string; kind: string; text: string; translations?: Record<string, string> }>>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /**
     * Words for regulators where they differ from those written for the people notified (a technical
     * description, the risk as the company sees it): per field, and per BCP 47 tag for their translations
     * (incidents/regulator-text.ts narrows the types). Reports use them before the notice's words.
     */
    regulatorText: jsonb('regulator_text')
      .$type<Partial<Record<string, string>>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    regulatorTranslations: jsonb('regulator_translations')
      .$type<Record<string, Partial<Record<string, string>>>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /**
     * The responders' words for the notice in other languages: per BCP 47 tag, any of the notice's text
     * facts (NOTICE_TEXT_FIELDS in common/notice-text.ts), and the guardian's and Massachusetts versions.
     * A notice in a language without them says the facts as written.
     */
    translations: jsonb('translations')
      .$type<NoticeTranslations>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** The guardian's version of the words written to the person (GUARDIAN_TEXT_FIELDS): guardians' notices say these. */
    guardianWords: jsonb('guardian_words')
      .$type<GuardianWords>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** The version without the nature of the breach that Massachusetts notices say (and its guardian's version). */
    massachusettsWords: jsonb('massachusetts_words')
      .$type<MassachusettsWords>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    systems: text('systems')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    dataCategories: text('data_categories')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    encrypted: boolean('encrypted'),
    encryptionDetails: text('encryption_details'),
    approximateRecords: integer('approximate_records'),
    likelyConsequences: text('likely_consequences'),
    measuresTaken: text('measures_taken'),
    measuresPlanned: text('measures_planned'),
    /** Security in place before the breach (technical and organisational, training): ICO and ANPD forms. */
    securityMeasuresBefore: text('security_measures_before'),
    /** Why the notice to people goes out late, in words for them (Brazil's notice says it: LGPD Art. 48 §1 V). */
    noticeDelayReasons: text('notice_delay_reasons'),
    otherOrganisationsTold: text('other_organisations_told'),
    adviceToIndividuals: text('advice_to_individuals'),
    remedies: text('remedies'),
    riskLevel: text('risk_level'),
    riskReasoning: text('risk_reasoning'),
    state: text('state').notNull(),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('incidents_reference_idx').on(t.reference),
    index('incidents_created_idx').on(t.createdAt, t.id),
    index('incidents_state_idx').on(t.state),
  ],
);

export const incidentEvents = pgTable(
  'incident_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    at: at('at').notNull(),
    kind: text('kind').notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    actorKeyId: uuid('actor_key_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('incident_events_incident_idx').on(t.incidentId, t.id),
    // The reconciler looks for held-back notices to release every sweep: only those events, not the log.
    index('incident_events_held_back_idx')
      .on(t.incidentId)
      .where(sql`${t.kind} = 'campaign.held_back'`),
  ],
);

// node-postgres reads bytea as a Buffer, PGlite as a Uint8Array: a Buffer on both (a sealed value's key id
// read from a Uint8Array was "107,49", and nothing opened).
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => toBuffer(value),
});

/**
 * The directory: one row per person of the app. Contact data (name, email, phone, push tokens, birth date,
 * guardian) lives only in `sealed`, an AES-256-GCM envelope under key `keyId`; email and phone (the person's and
 * their guardian's) are also kept as keyed hashes for lookup and de-duplication. The plain columns are what scoping and planning need
 * without decrypting: no contact data among them.
 */
export const subjects = pgTable(
  'subjects',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    externalId: text('external_id').notNull(),
    locale: text('locale'),
    timeZone: text('time_zone'),
    jurisdiction: text('jurisdiction'),
    jurisdictionInferred: boolean('jurisdiction_inferred').notNull().default(false),
    channelPreferences: text('channel_preferences')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    dataCategories: text('data_categories')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    systems: text('systems')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    signedUpAt: at('signed_up_at'),
    lastActiveAt: at('last_active_at'),
    hasEmail: boolean('has_email').notNull().default(false),
    hasPhone: boolean('has_phone').notNull().default(false),
    pushTokenCount: integer('push_token_count').notNull().default(0),
    /** Under the age of digital consent of their jurisdiction when last computed (see the daily refresh). */
    minor: boolean('minor').notNull().default(false),
    /**
     * Under 18 when last computed (Brazil's "children and adolescents" among the criteria of a notifiable
     * incident); null: not computed yet (a row written before the column), filled in by the age refresh.
     */
    under18: boolean('under_18'),
    guardianHasEmail: boolean('guardian_has_email').notNull().default(false),
    guardianHasPhone: boolean('guardian_has_phone').notNull().default(false),
    /** The guardian's language (a BCP 47 tag, not contact data): their notice is written in it. */
    guardianLocale: text('guardian_locale'),
    keyId: text('key_id').notNull(),
    sealed: bytea('sealed').notNull(),
    emailHash: bytea('email_hash'),
    phoneHash: bytea('phone_hash'),
    /** The guardian's email and phone as the same keyed hashes: "Was I affected?" finds a guardian too. */
    guardianEmailHash: bytea('guardian_email_hash'),
    guardianPhoneHash: bytea('guardian_phone_hash'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('subjects_external_id_idx').on(t.externalId),
    // Hash indexes: lookups are by equality only, and a random 32-byte key costs a B-tree a page split
    // in a random place; a million-person import writes them in about half the time.
    index('subjects_email_hash_idx').using('hash', t.emailHash),
    index('subjects_phone_hash_idx').using('hash', t.phoneHash),
    index('subjects_guardian_email_hash_idx').using('hash', t.guardianEmailHash),
    index('subjects_guardian_phone_hash_idx').using('hash', t.guardianPhoneHash),
    // The age refresh's rows: minors, the under-18s, and those not yet checked (null).
    index('subjects_age_check_idx')
      .on(t.id)
      .where(sql`${t.minor} or ${t.under18} is not false`),
  ],
);

/** A streamed import: the upload is kept encrypted in chunks until a worker has processed it. */
export const subjectImports = pgTable('subject_imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  format: text('format').notNull(),
  status: text('status').notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
  chunks: integer('chunks').notNull().default(0),
  /**
   * When the whole upload was stored: `bytes` and `chunks` are final. Processing starts with the first
   * chunk; until this is set the job waits for the next one.
   */
  receivedAt: at('received_at'),
  /** Every line up to this one is processed and committed; a retried job resumes after it. */
  linesDone: integer('lines_done').notNull().default(0),
  bytesDone: bigint('bytes_done', { mode: 'number' }).notNull().default(0),
  created: integer('created').notNull().default(0),
  updated: integer('updated').notNull().default(0),
  rejected: integer('rejected').notNull().default(0),
  error: text('error'),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
  startedAt: at('started_at'),
  finishedAt: at('finished_at'),
});

export const subjectImportChunks = pgTable(
  'subject_import_chunks',
  {
    importId: uuid('import_id')
      .notNull()
      .references(() => subjectImports.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    keyId: text('key_id').notNull(),
    sealed: bytea('sealed').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);

/** Why a line was refused: line number, field and rule; never the value. */
export const subjectImportRejections = pgTable(
  'subject_import_rejections',
  {
    /** Insert order is line order: pages go by id. */
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    importId: uuid('import_id')
      .notNull()
      .references(() => subjectImports.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    field: text('field').notNull(),
    rule: text('rule').notNull(),
    message: text('message').notNull(),
  },
  (t) => [index('subject_import_rejections_idx').on(t.importId, t.id)],
);

/** A list of external ids from forensics, uploaded once and used by scope criteria. */
export const scopeIdLists = pgTable('scope_id_lists', {
  id: uuid('id').primaryKey().defaultRandom(),
  incidentId: uuid('incident_id')
    .notNull()
    .references(() => incidents.id, { onDelete: 'cascade' }),
  name: text('name'),
  count: integer('count').notNull(),
  createdBy: uuid('created_by'),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const scopeIdListItems = pgTable(
  'scope_id_list_items',
  {
    listId: uuid('list_id')
      .notNull()
      .references(() => scopeIdLists.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.listId, t.externalId] })],
);

/** One freeze of an incident's affected set: its criteria, its job's progress, and its result. */
export const scopeRuns = pgTable(
  'scope_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    /** `initial`, `replacement` or `supplementary`; decided when the freeze runs. */
    kind: text('kind'),
    status: text('status').notNull(),
    criteria: jsonb('criteria').$type<Record<string, unknown>>().notNull(),
    /** The set's size after this run, and how many this run added, removed and kept. */
    total: integer('total'),
    added: integer('added'),
    removed: integer('removed'),
    /** Supplementary runs: people already in the set whom the new criteria no longer match (kept). */
    keptOutsideCriteria: integer('kept_outside_criteria'),
    counts: jsonb('counts').$type<Record<string, unknown>>(),
    error: text('error'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('scope_runs_incident_idx').on(t.incidentId, t.createdAt),
    // At most one freeze in flight per incident.
    uniqueIndex('scope_runs_active_idx')
      .on(t.incidentId)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
);

/**
 * The frozen affected set: per person, what of theirs was exposed and how they can be reached. When a
 * person is erased, `subjectId` becomes null and the row stays, without identity, for the counts.
 */
export const affectedSubjects = pgTable(
  'affected_subjects',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // No foreign keys here: checking three keys per row tripled the cost of freezing half a million
    // people. Rows are written only by a freeze, under its incident's lock and inside its run; incidents
    // and runs are never deleted; erasure nulls subject_id itself, under AFFECTED_SETS_LOCK.
    incidentId: uuid('incident_id').notNull(),
    /** Null once the person was erased. */
    subjectId: bigint('subject_id', { mode: 'number' }),
    scopeRunId: uuid('scope_run_id').notNull(),
    jurisdiction: text('jurisdiction'),
    minor: boolean('minor').notNull(),
    /** The person's `under_18` when frozen; null: not known then, filled in by the age refresh. */
    under18: boolean('under_18'),
    guardianContact: boolean('guardian_contact').notNull(),
    exposedCategories: text('exposed_categories').array().notNull(),
    /** Channels the notice can reach them by: the guardian's for a minor with guardian contact. */
    channels: text('channels').array().notNull(),
    addedAt: at('added_at').notNull(),
    /**
     * Set by the notification pipeline when a notice left for this person: a HOT update, the table
     * keeping half of each page free (migration 0010).
     */
    notifiedAt: at('notified_at'),
  },
  (t) => [
    // Person first: erasure finds a person's rows in every incident through it.
    uniqueIndex('affected_subjects_person_idx').on(t.subjectId, t.incidentId),
    index('affected_subjects_incident_idx').on(t.incidentId, t.id),
  ],
);

/** A notice campaign over an incident's affected set: draft, approved by a second person, then sent. */
export const campaigns = pgTable(
  'campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id),
    template: text('template').notNull(),
    channels: text('channels').array().notNull(),
    /** `escalate`: one notice channel at a time, the next on permanent failure; `all`: every channel. */
    mode: text('mode').notNull(),
    includeGuardians: boolean('include_guardians').notNull(),
    status: text('status').notNull(),
    /** Recipients planned (one delivery each), once planned. */
    recipients: integer('recipients'),
    /** Sends that may have reached a provider twice (a claim whose lease ran out while in flight). */
    possibleDuplicates: integer('possible_duplicates').notNull().default(0),
    createdBy: uuid('created_by'),
    approvedBy: uuid('approved_by'),
    approvedAt: at('approved_at'),
    /**
     * The digest of what its notices say of the incident as approved (notifications/approved-words.ts): a
     * batch finding the incident changed since pauses the campaign until it is approved again. Null for
     * campaigns approved before it was kept.
     */
    approvedWords: text('approved_words'),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('campaigns_incident_idx').on(t.incidentId, t.createdAt)],
);

/**
 * What a campaign sent: each notice variant as rendered when it went out (the shared email per template,
 * locale and variant with its per-person tokens; the SMS and push per locale), sealed with the field
 * cipher, without anyone's data. One row per distinct rendering (its SHA-256), so an incident's text
 * edited mid-campaign keeps both versions. Kept for the longest record-keeping period of the incident's
 * rules (`retain_until`; null: no period ends it). A finished campaign's preview and the Attorneys
 * General's reports read these.
 */
export const noticeCopies = pgTable(
  'notice_copies',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    channel: text('channel').notNull(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    /** The notice variant (the code of the most specific notice profile, '' for none). */
    variant: text('variant').notNull(),
    sha256: text('sha256').notNull(),
    keyId: text('key_id').notNull(),
    sealed: bytea('sealed').notNull(),
    firstSentAt: at('first_sent_at').notNull(),
    retainUntil: at('retain_until'),
  },
  (t) => [
    uniqueIndex('notice_copies_rendering_idx').on(
      t.campaignId,
      t.channel,
      t.template,
      t.locale,
      t.variant,
      t.sha256,
    ),
  ],
);

// Deliveries, messages and batches are written set-based by the planner, a million rows at a time:
// like affected_subjects they hold no foreign keys (checked row by row, they would cost more than the
// rows); the planner writes them from rows it has just read inside one transaction, and nothing deletes
// campaigns.

/** One recipient of a campaign: the person, or the guardian of a minor, with the channel plan. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id').notNull(),
    affectedId: bigint('affected_id', { mode: 'number' }).notNull(),
    /** Null once the person was erased. */
    subjectId: bigint('subject_id', { mode: 'number' }),
    /** `person` or `guardian`. */
    recipient: text('recipient').notNull(),
    template: text('template').notNull(),
    /** The template locale the notice is in (after the fallback chain). */
    locale: text('locale').notNull(),
    timeZone: text('time_zone'),
    jurisdiction: text('jurisdiction'),
    /**
     * The categories of the person's data exposed, as the affected set holds them (none: the incident's).
     * Copied when planned, so that a send job's claim reads the delivery and the person, not the
     * affected set too (a frozen person's categories never change). Null: planned by a node older than
     * the column (a rolling upgrade), whose claim reads them from the affected set.
     */
    exposed: text('exposed').array(),
    /** Notice channels in the order they are tried (email, sms). */
    plan: text('plan').array().notNull(),
    /** A push alert pointing to the notice goes too. */
    alert: boolean('alert').notNull(),
    /**
     * The channels that count as the notice under the recipient's law when it was planned
     * (jurisdictions/rules/notice-methods.ts): a notice sent on another informs but does not notify.
     */
    lawful: text('lawful')
      .array()
      .notNull()
      .default(sql`'{email,sms}'::text[]`),
    /** `pending`, `notified` (a notice channel accepted it), `unreachable`, `cancelled`. */
    status: text('status').notNull(),
    notifiedAt: at('notified_at'),
    /**
     * When the recipient said "I have read this" on their notice page (first time only). Not a status:
     * an acknowledged notice is still `notified`; progress counts acknowledgements from the tallies.
     */
    acknowledgedAt: at('acknowledged_at'),
    updatedAt: at('updated_at').notNull(),
  },
  // Not on status: an index on a column that every send changes makes every update write every index.
  // Half of each page is kept free (migration 0010), so a batch's sends are HOT updates.
  (t) => [
    index('deliveries_campaign_idx').on(t.campaignId),
    // Who was reached, person by person (jurisdictions/reach.repository.ts): a person's latest delivery
    // is the last entry of their run of this index. On affected_id alone the planner walked the primary
    // key backwards for each person (31 s for 20,000 people, minutes at 100,000); never changed by a send.
    index('deliveries_affected_idx').on(t.affectedId, t.id),
  ],
);

/** One send on one channel to one recipient; a worker claims it with its batch. */
export const messages = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id').notNull(),
    deliveryId: bigint('delivery_id', { mode: 'number' }).notNull(),
    channel: text('channel').notNull(),
    /**
     * `queued` (also while its batch's worker sends it: the lease is the batch's), `sent`, `delivered`,
     * `failed`, `cancelled`. (`sending` was a claimed message's before claims moved to the batch; the
     * reconciler puts any left back in the queue.)
     */
    status: text('status').notNull(),
    batchId: bigint('batch_id', { mode: 'number' }),
    /**
     * No longer written: claims are the batch's. Kept while workers of the previous version may still
     * run during an upgrade (they claim messages with it); to be dropped in a later release.
     */
    leaseUntil: at('lease_until'),
    /** Times it was handed to a provider. */
    attempts: integer('attempts').notNull().default(0),
    /** The provider's id for it (SendGrid message id, Twilio SID, FCM name, outbox id). */
    providerRef: text('provider_ref'),
    /** Why it failed: a provider code or rule, never an address. */
    error: text('error'),
    sentAt: at('sent_at'),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    // No index covers what a send changes (status, provider id), so the outcome is a HOT update (the
    // table keeps a little over half of each page free, migration 0010) that writes no index at all.
    index('messages_batch_idx').on(t.batchId),
    index('messages_campaign_idx').on(t.campaignId, t.channel),
    index('messages_delivery_idx').on(t.deliveryId),
  ],
);

/** What one send job does: messages of one channel, template and locale. Jobs carry the batch id only. */
export const messageBatches = pgTable(
  'message_batches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id').notNull(),
    channel: text('channel').notNull(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    /** Its recipients live in California (the statute's title and headings). Kept for workers of 0013. */
    california: boolean('california').notNull(),
    /**
     * What its recipients' jurisdiction changes in their notice (`noticeVariant`): the code of their most
     * specific notice profile ('US-CA', 'US' for another state, 'CA-QC'...) or ''. One per batch: the
     * batch's email is rendered once.
     */
    variant: text('variant').notNull().default(''),
    size: integer('size').notNull(),
    /** `pending` (not in the queue), `queued`, `done`. */
    status: text('status').notNull(),
    /**
     * Times it was queued: part of the job id, so a batch re-queued by the reconciler gets a new job even
     * while a dead worker's job still holds the old id (its second run then claims nothing).
     */
    queuings: integer('queuings').notNull().default(0),
    /**
     * Set by the job that claimed it, with the messages it holds (a conditional update: only while no
     * other holds it); past it, the reconciler hands the batch to another.
     */
    leaseUntil: at('lease_until'),
    createdAt: at('created_at').notNull(),
    queuedAt: at('queued_at'),
    doneAt: at('done_at'),
  },
  (t) => [index('message_batches_campaign_idx').on(t.campaignId, t.status, t.channel)],
);

/**
 * A campaign's counts as they change: triggers on `deliveries` and `messages` (migration 0012) add, for
 * every statement that writes them, one row per kind, channel and status it changed, with the net
 * change. Progress sums a few thousand of these instead of counting a million rows; the reconciler folds
 * rows older than 90 s into one per status. Appended, never updated: concurrent sends never wait
 * for each other on a counter.
 */
export const campaignTallies = pgTable(
  'campaign_tallies',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: uuid('campaign_id').notNull(),
    /** `delivery` or `message`. */
    kind: text('kind').notNull(),
    /** The message's channel; empty for a delivery. */
    channel: text('channel').notNull(),
    status: text('status').notNull(),
    /** The net change: rows that took this status less rows that left it. */
    n: integer('n').notNull(),
    /** When the statement's transaction began (the last minute's sends give the rate). */
    at: at('at').notNull(),
  },
  (t) => [index('campaign_tallies_campaign_idx').on(t.campaignId, t.at)],
);

/** The local outbox transport: messages as they would have been sent, sealed (they hold addresses). */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel').notNull(),
    messageId: bigint('message_id', { mode: 'number' }),
    keyId: text('key_id').notNull(),
    sealed: bytea('sealed').notNull(),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    index('outbox_messages_channel_idx').on(t.channel, t.id),
    // Erasure finds a person's copies through their messages.
    index('outbox_messages_message_idx').on(t.messageId),
  ],
);

/**
 * Delivery events from the providers, stored as they arrive (minus any address) and applied from a
 * queue: a burst of events never slows the answer to the provider. One row per event, so a replay
 * changes nothing.
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    /** The provider's id of the event (SendGrid sg_event_id; Twilio SID + status). */
    eventKey: text('event_key').notNull(),
    /** delivered, bounce, dropped, undelivered, failed, ... */
    event: text('event').notNull(),
    /** Our message id (SendGrid custom arg) or the provider's message id (Twilio SID). */
    messageId: bigint('message_id', { mode: 'number' }),
    providerRef: text('provider_ref'),
    /** A provider code or reason class; never the address or the provider's free text. */
    code: text('code'),
    occurredAt: at('occurred_at'),
    receivedAt: at('received_at').notNull(),
    processedAt: at('processed_at'),
    /**
     * Not to be applied before: an event that came back before its send was recorded (the send job still
     * holds the message) waits, and is applied once the send is, or given up an hour after it came.
     */
    notBefore: at('not_before'),
    /**
     * Held by a drain until then (it claimed the event to apply it): no other drain takes it meanwhile.
     * One that died leaves it to the first drain after that.
     */
    claimedUntil: at('claimed_until'),
    /** What applying it did: delivered, failed, ignored, unknown_message. */
    outcome: text('outcome'),
  },
  (t) => [
    uniqueIndex('webhook_events_key_idx').on(t.provider, t.eventKey),
    index('webhook_events_pending_idx').on(t.processedAt, t.id),
  ],
);

/**
 * What the law asks of an incident: one row per obligation (rule, regulator or group, what), recomputed
 * when the scope, the risk or the facts change. The computed part is replaced on each recomputation;
 * the decisions (met, waived) and the alerts sent are kept. An obligation no recomputation produces any
 * more (the scope changed) is marked withdrawn, never deleted.
 */
export const obligations = pgTable(
  'obligations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    /** `<rule>/<regulator or jurisdiction>/<obligation>`: stable across recomputations. */
    key: text('key').notNull(),
    ruleId: text('rule_id'),
    /** The rule version (the day it holds from) the obligation was computed with. */
    ruleVersion: text('rule_version'),
    law: text('law'),
    jurisdictions: text('jurisdictions').array().notNull(),
    audience: text('audience').notNull(),
    regulatorId: text('regulator_id'),
    recipient: text('recipient').notNull(),
    phase: text('phase'),
    what: text('what').notNull(),
    deadline: text('deadline').notNull(),
    clock: text('clock'),
    clockStartedAt: at('clock_started_at'),
    dueAt: at('due_at'),
    applicable: boolean('applicable').notNull(),
    reason: text('reason').notNull(),
    facts: jsonb('facts').$type<Record<string, unknown>>().notNull(),
    sources: text('sources').array().notNull(),
    withdrawnAt: at('withdrawn_at'),
    /** Met: when, and by what (`{kind: report | campaign | manual, id?, note?}`). */
    metAt: at('met_at'),
    metBy: jsonb('met_by').$type<Record<string, unknown>>(),
    waivedAt: at('waived_at'),
    waivedReason: text('waived_reason'),
    decidedBy: uuid('decided_by'),
    alertedDueSoonAt: at('alerted_due_soon_at'),
    alertedMissedAt: at('alerted_missed_at'),
    computedAt: at('computed_at').notNull(),
  },
  (t) => [
    uniqueIndex('obligations_key_idx').on(t.incidentId, t.key),
    // The deadline watch: open obligations with a due date.
    index('obligations_open_idx')
      .on(t.dueAt)
      .where(
        sql`${t.metAt} is null and ${t.waivedAt} is null and ${t.withdrawnAt} is null and ${t.applicable}`,
      ),
  ],
);

/** How far down its timeline an incident's obligations were last computed (the watch recomputes past it). */
export const obligationChecks = pgTable('obligation_checks', {
  incidentId: uuid('incident_id')
    .primaryKey()
    .references(() => incidents.id, { onDelete: 'cascade' }),
  throughEventId: bigint('through_event_id', { mode: 'number' }).notNull(),
  checkedAt: at('checked_at').notNull(),
});

/** A report to a regulator: the document as generated (JSON), its SHA-256, approval and filing. */
export const reports = pgTable(
  'reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    regulatorId: text('regulator_id').notNull(),
    /** The form, language, content, hash and lateness are null until the generation job wrote them. */
    form: text('form'),
    phase: text('phase').notNull(),
    language: text('language'),
    /** `generating`, then `draft` (or `failed`), `approved`, `submitted`. */
    status: text('status').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>(),
    /** SHA-256 (hex) of the content as canonical JSON; also in the audit log. */
    sha256: text('sha256'),
    previousId: uuid('previous_id'),
    late: boolean('late'),
    delayReasons: text('delay_reasons'),
    /** Why the generation failed (`failed`): the rule the incident's facts did not meet, never a stack. */
    error: text('error'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull(),
    approvedBy: uuid('approved_by'),
    approvedAt: at('approved_at'),
    submittedAt: at('submitted_at'),
    submittedReference: text('submitted_reference'),
    submittedBy: uuid('submitted_by'),
  },
  (t) => [index('reports_incident_idx').on(t.incidentId, t.regulatorId, t.createdAt)],
);

/**
 * The facts the law weighs for a substitute notice that the service cannot know: the responders' estimate
 * of what notifying each person would cost, and a decision that it would be disproportionate (with why).
 */
export const substituteFacts = pgTable('substitute_facts', {
  incidentId: uuid('incident_id')
    .primaryKey()
    .references(() => incidents.id, { onDelete: 'cascade' }),
  estimatedCostUsd: bigint('estimated_cost_usd', { mode: 'number' }),
  disproportionateEffort: boolean('disproportionate_effort').notNull().default(false),
  reason: text('reason'),
  decidedBy: uuid('decided_by'),
  updatedAt: at('updated_at').notNull(),
});

/**
 * A public Security Notice: its draft (jurisdictions, languages, the responders' words for it), approval
 * and state. What the public reads is a published version (public_notice_versions), never the draft.
 */
export const publicNotices = pgTable(
  'public_notices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    /** The public address: /security-notices/<slug>. */
    slug: text('slug').notNull(),
    /** `draft`, `approved`, `published` (the draft is what was published), `withdrawn`. */
    status: text('status').notNull(),
    jurisdictions: text('jurisdictions').array().notNull(),
    /** The jurisdiction whose notice profile shapes it (California's title and headings); null: the standard. */
    profileJurisdiction: text('profile_jurisdiction'),
    languages: text('languages').array().notNull(),
    /** The responders' words for the public notice, per BCP 47 tag, over the incident's (NOTICE_TEXT_FIELDS). */
    words: jsonb('words')
      .$type<NoticeTranslations>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** What changed, for the next version's entry in the history. */
    updateNote: text('update_note'),
    /** The obligation key that raised it, or null: drafted by a responder. */
    raisedBy: text('raised_by'),
    publishedVersion: integer('published_version'),
    firstPublishedAt: at('first_published_at'),
    createdBy: uuid('created_by'),
    createdAt: at('created_at').notNull(),
    /** The author of the draft as it stands (the last edit's): four eyes keep them from approving it. */
    draftedBy: uuid('drafted_by'),
    draftedAt: at('drafted_at').notNull(),
    updatedAt: at('updated_at').notNull(),
    approvedBy: uuid('approved_by'),
    approvedAt: at('approved_at'),
    withdrawnAt: at('withdrawn_at'),
    withdrawnBy: uuid('withdrawn_by'),
    withdrawnReason: text('withdrawn_reason'),
    /** Counts the row's changes: its ETag, which an edit and an approval send back as If-Match. */
    version: integer('version').notNull().default(1),
    /**
     * The SHA-256 of what the approved draft would publish, rendered as of its approval: publishing
     * compares it again, so an incident edited since the approval cannot put unapproved words online.
     */
    approvedDigest: text('approved_digest'),
  },
  (t) => [
    uniqueIndex('public_notices_slug_idx').on(t.slug),
    index('public_notices_incident_idx').on(t.incidentId, t.createdAt),
  ],
);

/** Each published version of a public notice: its content per language as rendered, dated, never changed. */
export const publicNoticeVersions = pgTable(
  'public_notice_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    noticeId: uuid('notice_id')
      .notNull()
      .references(() => publicNotices.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    publishedAt: at('published_at').notNull(),
    publishedBy: uuid('published_by'),
    approvedBy: uuid('approved_by'),
    note: text('note'),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [uniqueIndex('public_notice_versions_idx').on(t.noticeId, t.version)],
);
