-- Who is under 18 (Brazil's "children and adolescents"), beside the minors of the guardian rule. Null:
-- not checked yet, so every row written before this, and by an older node during a rolling upgrade: the
-- age refresh (its index below covers them), run at the next start (AgeBackfill) and daily, opens their
-- birth dates and fills it in, in their affected rows too; until then an obligation counts only their
-- minors. Catalog changes only, no row rewritten; the index build blocks the directory's writes for its
-- length (about a second at a million people).
SET LOCAL lock_timeout = '10s';--> statement-breakpoint
DROP INDEX "subjects_minor_idx";--> statement-breakpoint
ALTER TABLE "affected_subjects" ADD COLUMN "under_18" boolean;--> statement-breakpoint
ALTER TABLE "subjects" ADD COLUMN "under_18" boolean;--> statement-breakpoint
CREATE INDEX "subjects_age_check_idx" ON "subjects" USING btree ("id") WHERE "subjects"."minor" or "subjects"."under_18" is not false;