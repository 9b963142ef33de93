// Tables as code. Migrations are generated from this file (`npm run db:generate`) and checked for drift
// in CI. Keep the SQL to what PostgreSQL 15 accepts: the embedded database is PostgreSQL 18 (PGlite).
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
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
    occurredFrom: at('occurred_from'),
    occurredTo: at('occurred_to'),
    discoveredAt: at('discovered_at').notNull(),
    containedAt: at('contained_at'),
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
  (t) => [index('incident_events_incident_idx').on(t.incidentId, t.id)],
);
