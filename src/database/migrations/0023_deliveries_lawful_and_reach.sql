ALTER TABLE "deliveries" ADD COLUMN "lawful" text[] DEFAULT '{email,sms}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "deliveries_affected_idx" ON "deliveries" USING btree ("affected_id");