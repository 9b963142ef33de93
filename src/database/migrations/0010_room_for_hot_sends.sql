-- Custom migration (drizzle-kit cannot express storage parameters). A send updates its message, its delivery
-- and its affected row, a whole batch in one statement: the rows of a page are updated together, so a page
-- needs room for a new version of every row it holds, or the updates stop being HOT and write every index
-- (at 100k recipients 31-46% of the delivery and affected-row updates did, and at fillfactor 60 44% of the
-- message updates: 8.9 WAL records per email). Updated rows grow (the send's time, the provider's id): a
-- little over half of each page is left free.
-- Applies to pages written from now on; rows already written keep their pages.
ALTER TABLE "messages" SET (fillfactor = 45);--> statement-breakpoint
ALTER TABLE "deliveries" SET (fillfactor = 48);--> statement-breakpoint
ALTER TABLE "affected_subjects" SET (fillfactor = 48);
