ALTER TABLE "deliveries" ADD COLUMN "exposed" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- Deliveries planned before this release: their person's categories, as the claim read them from the
-- affected set until now (a bounce can reopen any delivery, so every one may be claimed again).
UPDATE "deliveries" d SET "exposed" = a."exposed_categories" FROM "affected_subjects" a WHERE a."id" = d."affected_id";
