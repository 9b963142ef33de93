-- Custom migration (drizzle-kit cannot express storage parameters): a message row is updated twice as it is
-- sent (claimed, then sent or failed) and a delivery row once. Room left free in each page lets PostgreSQL
-- make those HOT updates (same page, no index entries), since no index covers the columns they change.
ALTER TABLE "messages" SET (fillfactor = 60);--> statement-breakpoint
ALTER TABLE "deliveries" SET (fillfactor = 80);
