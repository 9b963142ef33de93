CREATE TABLE "affected_subjects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"incident_id" uuid NOT NULL,
	"subject_id" bigint,
	"scope_run_id" uuid NOT NULL,
	"jurisdiction" text,
	"minor" boolean NOT NULL,
	"guardian_contact" boolean NOT NULL,
	"exposed_categories" text[] NOT NULL,
	"channels" text[] NOT NULL,
	"added_at" timestamp with time zone NOT NULL,
	"notified_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scope_id_list_items" (
	"list_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	CONSTRAINT "scope_id_list_items_list_id_external_id_pk" PRIMARY KEY("list_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "scope_id_lists" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"name" text,
	"count" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scope_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"kind" text,
	"status" text NOT NULL,
	"criteria" jsonb NOT NULL,
	"total" integer,
	"added" integer,
	"removed" integer,
	"kept_outside_criteria" integer,
	"counts" jsonb,
	"error" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "subject_import_chunks" (
	"import_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"key_id" text NOT NULL,
	"sealed" "bytea" NOT NULL,
	CONSTRAINT "subject_import_chunks_import_id_seq_pk" PRIMARY KEY("import_id","seq")
);
--> statement-breakpoint
CREATE TABLE "subject_import_rejections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"import_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"field" text NOT NULL,
	"rule" text NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subject_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"format" text NOT NULL,
	"status" text NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"chunks" integer DEFAULT 0 NOT NULL,
	"lines_done" integer DEFAULT 0 NOT NULL,
	"bytes_done" bigint DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"error" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "subjects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"locale" text,
	"time_zone" text,
	"jurisdiction" text,
	"jurisdiction_inferred" boolean DEFAULT false NOT NULL,
	"channel_preferences" text[] DEFAULT '{}'::text[] NOT NULL,
	"data_categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"systems" text[] DEFAULT '{}'::text[] NOT NULL,
	"signed_up_at" timestamp with time zone,
	"last_active_at" timestamp with time zone,
	"has_email" boolean DEFAULT false NOT NULL,
	"has_phone" boolean DEFAULT false NOT NULL,
	"push_token_count" integer DEFAULT 0 NOT NULL,
	"minor" boolean DEFAULT false NOT NULL,
	"guardian_has_email" boolean DEFAULT false NOT NULL,
	"guardian_has_phone" boolean DEFAULT false NOT NULL,
	"key_id" text NOT NULL,
	"sealed" "bytea" NOT NULL,
	"email_hash" "bytea",
	"phone_hash" "bytea",
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "affected_subjects" ADD CONSTRAINT "affected_subjects_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "affected_subjects" ADD CONSTRAINT "affected_subjects_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "affected_subjects" ADD CONSTRAINT "affected_subjects_scope_run_id_scope_runs_id_fk" FOREIGN KEY ("scope_run_id") REFERENCES "public"."scope_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scope_id_list_items" ADD CONSTRAINT "scope_id_list_items_list_id_scope_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."scope_id_lists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scope_id_lists" ADD CONSTRAINT "scope_id_lists_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scope_runs" ADD CONSTRAINT "scope_runs_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_import_chunks" ADD CONSTRAINT "subject_import_chunks_import_id_subject_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."subject_imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_import_rejections" ADD CONSTRAINT "subject_import_rejections_import_id_subject_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."subject_imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "affected_subjects_person_idx" ON "affected_subjects" USING btree ("incident_id","subject_id");--> statement-breakpoint
CREATE INDEX "affected_subjects_incident_idx" ON "affected_subjects" USING btree ("incident_id","id");--> statement-breakpoint
CREATE INDEX "scope_runs_incident_idx" ON "scope_runs" USING btree ("incident_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "scope_runs_active_idx" ON "scope_runs" USING btree ("incident_id") WHERE "scope_runs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "subject_import_rejections_idx" ON "subject_import_rejections" USING btree ("import_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "subjects_external_id_idx" ON "subjects" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "subjects_email_hash_idx" ON "subjects" USING btree ("email_hash");--> statement-breakpoint
CREATE INDEX "subjects_phone_hash_idx" ON "subjects" USING btree ("phone_hash");--> statement-breakpoint
CREATE INDEX "subjects_minor_idx" ON "subjects" USING btree ("id") WHERE "subjects"."minor";