DROP INDEX "deliveries_affected_idx";--> statement-breakpoint
CREATE INDEX "deliveries_affected_idx" ON "deliveries" USING btree ("affected_id","id");