ALTER TABLE "message_batches" ADD COLUMN "variant" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Batches planned before: California's were the only variant.
UPDATE "message_batches" SET "variant" = 'US-CA' WHERE "california";
