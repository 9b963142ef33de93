import { Injectable } from '@nestjs/common';
import { and, asc, eq, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { FieldCipher } from '../crypto/field-cipher.js';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf } from '../database/rows.js';
import { campaigns, noticeCopies } from '../database/schema.js';
import { RULES } from '../jurisdictions/rules/index.js';
import { recordKeeping } from '../jurisdictions/rules/records.js';
import type { Channel } from '../channels/channel.port.js';
import { NoticeRenderer, noticeVariant, type NoticeFacts } from '../templates/notice.renderer.js';

// What a campaign sent, kept: each notice variant as rendered when it went out, sealed with the field
// cipher, without anyone's data (the shared email and the SMS with their per-person tokens; the push with
// the link as a token). A send job keeps its batch's renderings before anything leaves, so no notice goes out
// without its copy; the same renderer with the same facts gives the bytes the provider gets. Read back by
// a finished campaign's preview and by the Attorneys General's reports (a copy of the notice sent).

/** The personal link of an SMS or push copy, where each recipient's own stood. */
export const LINK_TOKEN = '%url%';

export type NoticeCopyContent =
  | { channel: 'email'; subject: string; html: string; text: string }
  /** `leadOnly`: the lead alone, to readers whose notice did not fit one SMS (SMS_NOTICE). */
  | { channel: 'sms'; body: string; leadOnly?: boolean }
  | { channel: 'push'; title: string; body: string };

export interface NoticeCopy {
  campaignId: string;
  template: string;
  locale: string;
  /** The notice variant (see noticeVariant): '' for none. */
  variant: string;
  sha256: string;
  firstSentAt: Date;
  retainUntil: Date | null;
  content: NoticeCopyContent;
}

const aadOf = (campaignId: string) => `notice-copy:${campaignId}`;

/** The sealed copies, by campaign or by incident. */
@Injectable()
export class NoticeCopiesRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Keeps each rendering once: a second job of the same text finds it there. */
  async insert(rows: (typeof noticeCopies.$inferInsert)[]): Promise<void> {
    if (rows.length === 0) return;
    await this.database.db.insert(noticeCopies).values(rows).onConflictDoNothing();
  }

  async forCampaign(campaignId: string): Promise<(typeof noticeCopies.$inferSelect)[]> {
    return this.database.db
      .select()
      .from(noticeCopies)
      .where(eq(noticeCopies.campaignId, campaignId))
      .orderBy(asc(noticeCopies.firstSentAt), asc(noticeCopies.id));
  }

  async forIncident(incidentId: string): Promise<(typeof noticeCopies.$inferSelect)[]> {
    return this.database.db
      .select({ copy: noticeCopies })
      .from(noticeCopies)
      .innerJoin(campaigns, eq(campaigns.id, noticeCopies.campaignId))
      .where(and(eq(campaigns.incidentId, incidentId)))
      .orderBy(asc(noticeCopies.firstSentAt), asc(noticeCopies.id))
      .then((rows) => rows.map((r) => r.copy));
  }

  /** The rules the incident's obligations were computed with, its awareness and its confirmation. */
  async retentionFacts(
    incidentId: string,
  ): Promise<{ rules: { id: string; version: string }[]; awareness: Date; confirmed: Date | null }> {
    const rules = rowsOf<{ rule_id: string; rule_version: string }>(
      await this.database.db.execute(sql`
        select distinct rule_id, rule_version from obligations
        where incident_id = ${incidentId}::uuid and rule_id is not null and rule_version is not null
          and withdrawn_at is null`),
    );
    const [when] = rowsOf<{ discovered_at: unknown; confirmed_at: unknown }>(
      await this.database.db.execute(sql`
        select i.discovered_at,
               (select min(e.at) from incident_events e
                 where e.incident_id = i.id and e.kind = 'transition' and e.to_state = 'confirmed') as confirmed_at
        from incidents i where i.id = ${incidentId}::uuid`),
    );
    return {
      rules: rules.map((r) => ({ id: r.rule_id, version: r.rule_version })),
      awareness: new Date(when?.discovered_at as string),
      confirmed: when?.confirmed_at ? new Date(when.confirmed_at as string) : null,
    };
  }
}

/** Renders, seals, keeps and opens the copies of what campaigns sent. */
@Injectable()
export class NoticeCopies {
  /** Renderings already kept by this process (campaign, digest): a batch of the same text seals nothing. */
  private readonly kept = new Set<string>();
  private readonly retention = new Map<string, Date | null>();

  constructor(
    private readonly repository: NoticeCopiesRepository,
    private readonly renderer: NoticeRenderer,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {}

  /**
   * Keeps what a send job's batch is about to send: per notice variant among its recipients, the email
   * shared by the batch or the SMS (their per-person parts as tokens; an SMS of its lead alone apart),
   * or the push with the link as a token.
   * Called before anything leaves; what the law sent is then never missing its copy.
   */
  async keep(
    campaign: { id: string; incidentId: string },
    batch: { channel: string; template: string },
    recipients: readonly NoticeFacts[],
  ): Promise<void> {
    const byVariant = new Map<string, NoticeFacts>();
    for (const facts of recipients) {
      // An SMS of its lead alone is a rendering of its own.
      const variant = `${noticeVariant(facts.jurisdiction)}${facts.smsLeadOnly ? '|lead' : ''}`;
      if (!byVariant.has(variant)) byVariant.set(variant, facts);
    }
    const rows: (typeof noticeCopies.$inferInsert)[] = [];
    const keys: string[] = [];
    const now = this.clock.now();
    for (const [kept, facts] of byVariant) {
      const variant = noticeVariant(facts.jurisdiction);
      // What the rendering depends on beyond the variant: the incident as edited, the day (profiles are
      // versioned by the notice's date). Unchanged, the batch's copy is kept already: nothing to render.
      const incident = facts.incident as { id?: string; version?: number };
      const sameText = [
        campaign.id,
        batch.channel,
        batch.template,
        facts.locale ?? '',
        kept,
        incident.id ?? '',
        incident.version ?? '',
        facts.sentAt?.toISOString().slice(0, 10) ?? '',
      ].join('|');
      if (this.kept.has(sameText)) continue;
      const { locale, content } = this.render(batch.channel as Channel, batch.template, facts);
      const plain = JSON.stringify(content);
      const sha256 = createHash('sha256').update(plain).digest('hex');
      const key = `${campaign.id}|${batch.channel}|${batch.template}|${locale}|${kept}|${sha256}`;
      if (this.kept.has(key)) {
        keys.push(sameText);
        continue;
      }
      const sealed = this.crypto.cipher.seal(Buffer.from(plain, 'utf8'), aadOf(campaign.id));
      rows.push({
        campaignId: campaign.id,
        channel: batch.channel,
        template: batch.template,
        locale,
        variant,
        sha256,
        keyId: FieldCipher.keyIdOf(sealed),
        sealed,
        firstSentAt: now,
        retainUntil: await this.retainUntil(campaign),
      });
      keys.push(key, sameText);
    }
    await this.repository.insert(rows);
    // Only once stored: a failed insert fails the job before anything leaves, and its retry keeps them.
    for (const key of keys) this.remember(key);
  }

  /** A campaign's copies, opened, oldest first. */
  async ofCampaign(campaignId: string): Promise<NoticeCopy[]> {
    return (await this.repository.forCampaign(campaignId)).map((row) => this.open(row));
  }

  /** Every copy an incident's campaigns sent, opened, oldest first. */
  async ofIncident(incidentId: string): Promise<NoticeCopy[]> {
    return (await this.repository.forIncident(incidentId)).map((row) => this.open(row));
  }

  private open(row: typeof noticeCopies.$inferSelect): NoticeCopy {
    return {
      campaignId: row.campaignId,
      template: row.template,
      locale: row.locale,
      variant: row.variant,
      sha256: row.sha256,
      firstSentAt: row.firstSentAt,
      retainUntil: row.retainUntil,
      content: this.crypto.cipher.openJson<NoticeCopyContent>(row.sealed, aadOf(row.campaignId)),
    };
  }

  /** The rendering of one variant, as the send path renders it, with nobody's data in it. */
  private render(
    channel: Channel,
    template: string,
    facts: NoticeFacts,
  ): { locale: string; content: NoticeCopyContent } {
    if (channel === 'email') {
      const { locale, subject, html, text } = this.renderer.renderShared(template, facts);
      return { locale, content: { channel, subject, html, text } };
    }
    // The SMS as the send path renders it, what differs per person as tokens (the link, the dates in
    // their zone, the data involved; `substitutions` fills them); the push alert says nobody's data.
    if (channel === 'sms') {
      const { locale, sms } = this.renderer.renderSms(template, { ...facts, name: null, child: null }, true);
      return {
        locale,
        content: { channel, body: sms.body, ...(facts.smsLeadOnly ? { leadOnly: true } : {}) },
      };
    }
    const short = this.renderer.renderShort(template, { ...facts, name: null, child: null, url: LINK_TOKEN });
    return { locale: short.locale, content: { channel, title: short.push.title, body: short.push.body } };
  }

  /** The longest record-keeping of the incident's rules (null: none ends it), once per campaign. */
  private async retainUntil(campaign: { id: string; incidentId: string }): Promise<Date | null> {
    if (!this.retention.has(campaign.id)) {
      const facts = await this.repository.retentionFacts(campaign.incidentId);
      const rules = RULES.filter((r) =>
        facts.rules.some((f) => f.id === r.id && f.version === r.effectiveFrom),
      );
      this.retention.set(campaign.id, recordKeeping(rules, facts.awareness, facts.confirmed).until);
      if (this.retention.size > 1000) this.retention.delete(this.retention.keys().next().value!);
    }
    return this.retention.get(campaign.id) ?? null;
  }

  private remember(key: string): void {
    this.kept.add(key);
    if (this.kept.size > 10_000) this.kept.delete(this.kept.values().next().value!);
  }
}
