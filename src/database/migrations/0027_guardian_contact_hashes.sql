ALTER TABLE "subjects" ADD COLUMN "guardian_email_hash" "bytea";--> statement-breakpoint
ALTER TABLE "subjects" ADD COLUMN "guardian_phone_hash" "bytea";--> statement-breakpoint
CREATE INDEX "subjects_guardian_email_hash_idx" ON "subjects" USING hash ("guardian_email_hash");--> statement-breakpoint
CREATE INDEX "subjects_guardian_phone_hash_idx" ON "subjects" USING hash ("guardian_phone_hash");