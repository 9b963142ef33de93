// Advisory lock keys, in one place so that no two uses collide (BullMQ's PostgreSQL backend takes its own).

/** Serialises migrations across processes starting at once. */
export const MIGRATION_LOCK = 0x6d696772;
/** Serialises appends to the audit chain across all connections and processes. */
export const AUDIT_CHAIN_LOCK = 0x61756469;
/**
 * Affected sets hold subject ids without a foreign key (per-row key checks tripled the cost of a freeze).
 * Freezes take it shared and erasures exclusively, so a freeze never commits a row for a person erased
 * while it ran.
 */
export const AFFECTED_SETS_LOCK = 0x61666673;
/** Serialises folds of campaign tallies: a second fold waits, then sees the first one's rows. */
export const TALLY_FOLD_LOCK = 0x74616c6c;
/** Serialises the first start's setup key: nodes starting together on an empty database make one between them. */
export const FIRST_KEY_LOCK = 0x6b657973;
