-- A node older than 0031 that planned a campaign during a rolling upgrade inserted its deliveries
-- without the column, and got its default, '{}' ("the incident's categories"): their notices would have
-- listed all of the incident's. Deliveries copy their person's categories, which never change, so any
-- that differ are those: they get their person's. From here an older node's insert leaves the column
-- null, and the claim reads the categories from the affected set for it.
UPDATE "deliveries" d SET "exposed" = a."exposed_categories" FROM "affected_subjects" a
WHERE a."id" = d."affected_id" AND d."exposed" = '{}'::text[] AND a."exposed_categories" <> '{}'::text[];--> statement-breakpoint
-- The two changes below are the catalog's only (no row is rewritten); the lock they need waits for
-- sends, and lock_timeout bounds that wait: past it the node fails to start and is started again.
SET LOCAL lock_timeout = '10s';--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "exposed" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "exposed" DROP NOT NULL;
