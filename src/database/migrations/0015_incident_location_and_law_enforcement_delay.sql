ALTER TABLE "incidents" ADD COLUMN "location" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "law_enforcement_delay" boolean;