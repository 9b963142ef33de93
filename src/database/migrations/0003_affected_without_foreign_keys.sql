ALTER TABLE "affected_subjects" DROP CONSTRAINT "affected_subjects_incident_id_incidents_id_fk";
--> statement-breakpoint
ALTER TABLE "affected_subjects" DROP CONSTRAINT "affected_subjects_subject_id_subjects_id_fk";
--> statement-breakpoint
ALTER TABLE "affected_subjects" DROP CONSTRAINT "affected_subjects_scope_run_id_scope_runs_id_fk";
--> statement-breakpoint
DROP INDEX "affected_subjects_person_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "affected_subjects_person_idx" ON "affected_subjects" USING btree ("subject_id","incident_id");