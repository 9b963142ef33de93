CREATE TABLE "obligation_checks" (
	"incident_id" uuid PRIMARY KEY NOT NULL,
	"through_event_id" bigint NOT NULL,
	"checked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "obligations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"key" text NOT NULL,
	"rule_id" text,
	"rule_version" text,
	"law" text,
	"jurisdictions" text[] NOT NULL,
	"audience" text NOT NULL,
	"regulator_id" text,
	"recipient" text NOT NULL,
	"phase" text,
	"what" text NOT NULL,
	"deadline" text NOT NULL,
	"clock" text,
	"clock_started_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"applicable" boolean NOT NULL,
	"reason" text NOT NULL,
	"facts" jsonb NOT NULL,
	"sources" text[] NOT NULL,
	"withdrawn_at" timestamp with time zone,
	"met_at" timestamp with time zone,
	"met_by" jsonb,
	"waived_at" timestamp with time zone,
	"waived_reason" text,
	"decided_by" uuid,
	"alerted_due_soon_at" timestamp with time zone,
	"alerted_missed_at" timestamp with time zone,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"regulator_id" text NOT NULL,
	"form" text NOT NULL,
	"phase" text NOT NULL,
	"language" text NOT NULL,
	"status" text NOT NULL,
	"content" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"previous_id" uuid,
	"late" boolean NOT NULL,
	"delay_reasons" text,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"submitted_reference" text,
	"submitted_by" uuid
);
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "cyber_attack" boolean;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "how_discovered" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "security_measures_before" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "other_organisations_told" text;--> statement-breakpoint
ALTER TABLE "obligation_checks" ADD CONSTRAINT "obligation_checks_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "obligations" ADD CONSTRAINT "obligations_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "obligations_key_idx" ON "obligations" USING btree ("incident_id","key");--> statement-breakpoint
CREATE INDEX "obligations_open_idx" ON "obligations" USING btree ("due_at") WHERE "obligations"."met_at" is null and "obligations"."waived_at" is null and "obligations"."withdrawn_at" is null and "obligations"."applicable";--> statement-breakpoint
CREATE INDEX "reports_incident_idx" ON "reports" USING btree ("incident_id","regulator_id","created_at");