ALTER TABLE "public_notices" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "public_notices" ADD COLUMN "approved_digest" text;