CREATE TABLE "send_slots" (
	"channel" text PRIMARY KEY NOT NULL,
	"next_at" bigint NOT NULL
);
