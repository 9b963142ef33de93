-- Custom migration (drizzle-kit cannot express it): uploads waiting to be imported are transient and sealed,
-- so they skip the write-ahead log, which halves the disk writes of an upload. After a server crash
-- PostgreSQL empties unlogged tables: an import caught mid-way then fails ("chunk missing") and is uploaded
-- again. Unlogged tables are not replicated either: the same holds after a failover.
ALTER TABLE "subject_import_chunks" SET UNLOGGED;
