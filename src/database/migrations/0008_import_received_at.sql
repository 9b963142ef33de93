ALTER TABLE "subject_imports" ADD COLUMN "received_at" timestamp with time zone;--> statement-breakpoint
-- Imports stored before this column existed were whole when queued.
UPDATE "subject_imports" SET "received_at" = "created_at" WHERE "status" <> 'receiving';
