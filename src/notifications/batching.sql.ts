import { sql, type SQL } from 'drizzle-orm';
import type { Channel } from '../channels/channel.port.js';
import { noticeVariantSqlOf } from '../jurisdictions/notice-variant.sql.js';

// How planning and fallback cut messages into batches, in SQL: both cut them the same way.

/**
 * What a jurisdiction changes in the notice, in SQL: `noticeVariant` over a column, generated from the
 * notice profiles (src/jurisdictions). A batch holds one variant, since its email is rendered once.
 */
export function noticeVariantSql(jurisdiction: SQL): SQL {
  return noticeVariantSqlOf(jurisdiction);
}

export const VARIANT = noticeVariantSql(sql`d.jurisdiction`);

/**
 * A message's batch number among the messages of its channel, template, locale and notice variant
 * (over deliveries `d`): planning and fallback cut batches the same way.
 */
export function batchNumber(channel: SQL, order: SQL, sizes: Record<Channel, number>): SQL {
  return sql`(row_number() over (partition by ${channel}, d.template, d.locale, ${VARIANT} order by ${order}) - 1)
    / case ${channel} when 'email' then ${sizes.email}::int when 'sms' then ${sizes.sms}::int
                      else ${sizes.push}::int end`;
}

/** Advisory lock key of one campaign (batch assignment and dispatch are serialised per campaign). */
export const campaignLock = (campaignId: string) =>
  sql`pg_advisory_xact_lock(hashtext(${`campaign:${campaignId}`}))`;
