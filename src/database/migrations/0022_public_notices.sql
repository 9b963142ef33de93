CREATE TABLE "public_notice_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"notice_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" uuid,
	"approved_by" uuid,
	"note" text,
	"content" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"status" text NOT NULL,
	"jurisdictions" text[] NOT NULL,
	"profile_jurisdiction" text,
	"languages" text[] NOT NULL,
	"words" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"update_note" text,
	"raised_by" text,
	"published_version" integer,
	"first_published_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"drafted_by" uuid,
	"drafted_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"approved_by" uuid,
	"approved_at" timestamp with time zone,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_by" uuid,
	"withdrawn_reason" text
);
--> statement-breakpoint
CREATE TABLE "substitute_facts" (
	"incident_id" uuid PRIMARY KEY NOT NULL,
	"estimated_cost_usd" bigint,
	"disproportionate_effort" boolean DEFAULT false NOT NULL,
	"reason" text,
	"decided_by" uuid,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "public_notice_versions" ADD CONSTRAINT "public_notice_versions_notice_id_public_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."public_notices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_notices" ADD CONSTRAINT "public_notices_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "substitute_facts" ADD CONSTRAINT "substitute_facts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "public_notice_versions_idx" ON "public_notice_versions" USING btree ("notice_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "public_notices_slug_idx" ON "public_notices" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "public_notices_incident_idx" ON "public_notices" USING btree ("incident_id","created_at");