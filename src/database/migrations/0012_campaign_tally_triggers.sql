-- Custom migration (drizzle-kit cannot express triggers): every statement that writes deliveries or
-- messages adds its net change per campaign, kind, channel and status to campaign_tallies, from the
-- statement's transition tables, so progress never counts a campaign's rows. Rows that did not change
-- status net to nothing and add nothing.
--
-- Both tables are locked first, messages before deliveries: a send records its messages, then their
-- deliveries, and taking them in that order means a migration during a rolling upgrade waits for sends
-- (or they for it) instead of deadlocking with one whose provider already took the batch. (Planning
-- writes deliveries first: one running now may deadlock with this, and PostgreSQL ends one of the two,
-- whose job or start is retried; nothing has left.) All sends wait while it runs, the backfill reading
-- every row once, however long that takes; lock_timeout bounds only the wait for the locks: past it the
-- node fails to start with the lock error and is started again, rather than queue every send behind it.
SET LOCAL lock_timeout = '10s';--> statement-breakpoint
LOCK TABLE messages, deliveries IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
CREATE FUNCTION tally_deliveries() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
    SELECT campaign_id, 'delivery', '', status, count(*)::int, now() FROM new_rows GROUP BY campaign_id, status;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
    SELECT campaign_id, 'delivery', '', status, sum(n)::int, now()
    FROM (SELECT campaign_id, status, 1 AS n FROM new_rows
          UNION ALL SELECT campaign_id, status, -1 FROM old_rows) c
    GROUP BY campaign_id, status HAVING sum(n) <> 0;
  ELSE
    INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
    SELECT campaign_id, 'delivery', '', status, -count(*)::int, now() FROM old_rows GROUP BY campaign_id, status;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION tally_messages() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
    SELECT campaign_id, 'message', channel, status, count(*)::int, now() FROM new_rows
    GROUP BY campaign_id, channel, status;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
    SELECT campaign_id, 'message', channel, status, sum(n)::int, now()
    FROM (SELECT campaign_id, channel, status, 1 AS n FROM new_rows
          UNION ALL SELECT campaign_id, channel, status, -1 FROM old_rows) c
    GROUP BY campaign_id, channel, status HAVING sum(n) <> 0;
  ELSE
    INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
    SELECT campaign_id, 'message', channel, status, -count(*)::int, now() FROM old_rows
    GROUP BY campaign_id, channel, status;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER deliveries_tally_insert AFTER INSERT ON deliveries REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tally_deliveries();--> statement-breakpoint
CREATE TRIGGER deliveries_tally_update AFTER UPDATE ON deliveries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tally_deliveries();--> statement-breakpoint
CREATE TRIGGER deliveries_tally_delete AFTER DELETE ON deliveries REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tally_deliveries();--> statement-breakpoint
CREATE TRIGGER messages_tally_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tally_messages();--> statement-breakpoint
CREATE TRIGGER messages_tally_update AFTER UPDATE ON messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tally_messages();--> statement-breakpoint
CREATE TRIGGER messages_tally_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tally_messages();--> statement-breakpoint
-- Campaigns written before the triggers: counted once here (writers wait on the locks until this
-- commits), dated an hour back so they do not count as the last minute's sends.
INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
SELECT campaign_id, 'delivery', '', status, count(*)::int, now() - interval '1 hour' FROM deliveries
GROUP BY campaign_id, status;--> statement-breakpoint
INSERT INTO campaign_tallies (campaign_id, kind, channel, status, n, at)
SELECT campaign_id, 'message', channel, status, count(*)::int, now() - interval '1 hour' FROM messages
GROUP BY campaign_id, channel, status;--> statement-breakpoint
SET LOCAL lock_timeout = DEFAULT;
