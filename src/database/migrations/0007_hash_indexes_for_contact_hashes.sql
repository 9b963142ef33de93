DROP INDEX "subjects_email_hash_idx";--> statement-breakpoint
DROP INDEX "subjects_phone_hash_idx";--> statement-breakpoint
CREATE INDEX "subjects_email_hash_idx" ON "subjects" USING hash ("email_hash");--> statement-breakpoint
CREATE INDEX "subjects_phone_hash_idx" ON "subjects" USING hash ("phone_hash");