import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { TALLY_FOLD_LOCK } from '../database/locks.js';
import { rowsOf } from '../database/rows.js';

export interface Progress {
  deliveries: Record<string, number>;
  messages: Record<string, Record<string, number>>;
  sentLastMinute: number;
  remaining: number;
  /** Recipients who said "I have read this" on their notice page. */
  acknowledged: number;
}

/**
 * A campaign's progress from its tallies (`campaign_tallies`, kept by triggers on deliveries and messages,
 * migration 0012): the sums a view reads, and the reconciler's fold of the older rows.
 */
@Injectable()
export class TalliesRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * The campaign's counts, summed from its tallies (a few rows per batch, kept by triggers as rows are
   * written; migration 0012), never by counting its deliveries and messages. The last minute is the
   * database's, whose clock dates the tallies.
   */
  async progress(campaignId: string): Promise<Progress> {
    const tallies = rowsOf<{ kind: string; channel: string; status: string; n: number; recent: number }>(
      await this.database.db.execute(sql`
        select kind, channel, status, sum(n)::int as n,
               coalesce(sum(n) filter (where status = 'sent' and n > 0 and at > now() - interval '1 minute'), 0)::int
                 as recent
        from campaign_tallies where campaign_id = ${campaignId}::uuid
        group by 1, 2, 3 having sum(n) <> 0`),
    );
    const deliveries = tallies.filter((t) => t.kind === 'delivery');
    const messages = tallies.filter((t) => t.kind === 'message');
    // Written with the acknowledgement itself (notice-pages), not by a trigger: it is no status.
    const acknowledged = tallies.find((t) => t.kind === 'acknowledgement')?.n ?? 0;
    // Being sent: the queued messages of the batches workers hold (a few, found through the batches).
    const held = rowsOf<{ channel: string; n: number }>(
      await this.database.db.execute(sql`
        select b.channel, count(*)::int as n
        from message_batches b join messages m on m.batch_id = b.id and m.status = 'queued'
        where b.campaign_id = ${campaignId}::uuid and b.status = 'queued' and b.lease_until is not null
        group by 1`),
    );
    const byChannel: Record<string, Record<string, number>> = {};
    let remaining = 0;
    let sentLastMinute = 0;
    for (const m of messages) {
      (byChannel[m.channel] ??= {})[m.status] = Number(m.n);
      sentLastMinute += Number(m.recent);
      if (m.status === 'queued' || m.status === 'sending') remaining += Number(m.n);
    }
    for (const h of held) {
      const counts = (byChannel[h.channel] ??= {});
      // Counted apart from the tallies, a moment later: never more than the tallies say are queued.
      const sending = Math.min(Number(h.n), counts.queued ?? 0);
      if (sending === 0) continue;
      counts.sending = (counts.sending ?? 0) + sending;
      counts.queued -= sending;
      if (counts.queued === 0) delete counts.queued;
    }
    return {
      deliveries: Object.fromEntries(deliveries.map((d) => [d.status, Number(d.n)])),
      messages: byChannel,
      sentLastMinute,
      remaining,
      acknowledged: Number(acknowledged),
    };
  }

  /**
   * Folds the tallies of campaigns with more than one row for a status older than `olderThanMs` (by the
   * database's clock, which dates them) into one row per campaign, kind, channel and status, dated with
   * the newest it folds; campaigns already folded are left alone. One statement: a reader sees the rows
   * before or after, never half of each. Serialised: a second fold waits, then sees the first's rows.
   * Returns how many rows it removed.
   *
   * Over the whole table, from the reconciler (a job): the bulk statement limit. A million-person
   * campaign writes tens of thousands of rows before its first fold, and a fold that ran past the ordinary
   * limit would fail on every run and leave the table growing, every campaign's progress reading more.
   */
  async foldTallies(olderThanMs: number): Promise<number> {
    const fold = async () => {
      await this.database.db.execute(sql`select pg_advisory_xact_lock(${TALLY_FOLD_LOCK})`);
      const [row] = rowsOf<{ folded: number }>(
        await this.database.db.execute(sql`
          with cutoff as (select now() - make_interval(secs => ${olderThanMs / 1000}) as at),
          crowded as (
            select distinct campaign_id from campaign_tallies, cutoff where campaign_tallies.at < cutoff.at
            group by campaign_id, kind, channel, status having count(*) > 1),
          gone as (
            delete from campaign_tallies t using cutoff
            where t.at < cutoff.at and t.campaign_id in (select campaign_id from crowded)
            returning t.campaign_id, t.kind, t.channel, t.status, t.n, t.at),
          kept as (
            insert into campaign_tallies (campaign_id, kind, channel, status, n, at)
            select campaign_id, kind, channel, status, sum(n)::int, max(at) from gone
            group by 1, 2, 3, 4 having sum(n) <> 0
            returning 1)
          select (select count(*) from gone)::int - (select count(*) from kept)::int as folded`),
      );
      return Number(row?.folded ?? 0);
    };
    return this.database.transaction(fold, { bulk: true });
  }
}
