import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { Injectable, Logger } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { SYSTEM_ACTOR } from '../common/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { NOTICE_CHANNELS, type Channel } from '../channels/channel.port.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode, messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { DatabaseService } from '../database/database.service.js';
import { IncidentState } from '../incidents/incident.lifecycle.js';
import { IncidentsRepository, type IncidentRow } from '../incidents/incidents.repository.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { canonicalTimeZone } from '../subjects/subject.validation.js';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, JobPayload } from '../queue/queue.catalogue.js';
import { substitute } from '../channels/substitutions.js';
import { smsSize } from '../templates/sms-segments.js';
import {
  NoticeRenderer,
  noticeVariant,
  type NoticeFacts,
  type RenderedNotice,
} from '../templates/notice.renderer.js';
import { LINK_TOKEN, NoticeCopies } from './notice-copies.js';
import {
  ACTIVE_STATUSES,
  batchSizes,
  CampaignStatus,
  guardianTemplate,
  NOTICE_FACTS,
  WINDOW,
} from './campaign.rules.js';
import { CampaignRow, CampaignsRepository } from './campaigns.repository.js';
import { DeliveriesRepository, Progress } from './deliveries.repository.js';
import { NoticeTokens } from './notice-token.js';

export interface CreateCampaign {
  template: string;
  channels: Channel[];
  mode: 'escalate' | 'all';
  includeGuardians: boolean;
}

export interface CampaignView extends CampaignRow {
  progress: Progress & { ratePerSecond: number; etaSeconds: number | null; asOf: Date };
}

export interface PreviewQuery {
  channel?: Channel;
  locale?: string;
  jurisdiction?: string;
  timeZone?: string;
  recipient?: 'person' | 'guardian';
}

const CLOSED_INCIDENT = new Set<string>([IncidentState.Closed, IncidentState.Dismissed]);
/** A campaign that sends no more: its preview is what it sent. */
const FINISHED = new Set<string>([CampaignStatus.Completed, CampaignStatus.Cancelled]);
const SEND_JOB: Record<Channel, JobName.SendEmail | JobName.SendSms | JobName.SendPush> = {
  email: JobName.SendEmail,
  sms: JobName.SendSms,
  push: JobName.SendPush,
};
export const batchJobId = (batch: { id: number; queuings: number }): string =>
  `batch-${batch.id}-${batch.queuings}`;
export const sendJobOf = (channel: Channel) => SEND_JOB[channel];

/** Thrown to undo a plan whose campaign was paused or cancelled while it was made. */
class PlanInterrupted extends Error {}

/** A notice can go out for the incident: not closed, and every part the law asks a notice to say is there. */
function checkNoticeable(incident: IncidentRow): void {
  if (CLOSED_INCIDENT.has(incident.state)) {
    throw new AppError(ErrorCode.Conflict, `the incident is ${incident.state}: no notice goes out for it`);
  }
  const missing: string[] = NOTICE_FACTS.filter((field) => !incident[field]?.trim());
  // Each notice names the person's data that was involved, from these when the scope did not say.
  if (incident.dataCategories.length === 0) missing.push('dataCategories');
  if (missing.length > 0) {
    throw new AppError(
      ErrorCode.Conflict,
      `every notice must say what happened, what data was involved, its possible impact, the measures taken and the remedies: the incident has no ${missing.join(', ')}`,
      { missing },
    );
  }
}

/** Campaigns: draft, preview, four-eyes approval, planning, pause/resume/cancel, progress. */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);
  readonly tokens: NoticeTokens;

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: CampaignsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly incidents: IncidentsService,
    private readonly timeline: IncidentsRepository,
    private readonly jobs: JobRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly renderer: NoticeRenderer,
    private readonly keys: ApiKeysService,
    private readonly copies: NoticeCopies,
    crypto: CryptoService,
  ) {
    this.tokens = new NoticeTokens(crypto.keys.hashKey);
  }

  async create(actor: Actor, incidentId: string, input: CreateCampaign): Promise<CampaignRow> {
    const incident = await this.incidents.get(incidentId);
    checkNoticeable(incident);
    this.checkTemplate(input);
    const now = this.clock.now();
    return this.database.transaction(async () => {
      await this.timeline.lockIncident(incidentId);
      const active = (await this.repository.forIncident(incidentId)).filter((c) =>
        ACTIVE_STATUSES.includes(c.status),
      );
      if (active.length > 0) {
        throw new AppError(
          ErrorCode.Conflict,
          `campaign ${active[0].id} of this incident is ${active[0].status}: finish or cancel it first`,
          { campaignId: active[0].id },
        );
      }
      const campaign = await this.repository.create({
        incidentId,
        template: input.template,
        channels: input.channels,
        mode: input.mode,
        includeGuardians: input.includeGuardians,
        status: CampaignStatus.Draft,
        createdBy: actor.keyId,
        createdAt: now,
        updatedAt: now,
      });
      await this.record(actor, campaign, 'campaign.created', now, {
        template: input.template,
        channels: input.channels,
        mode: input.mode,
        includeGuardians: input.includeGuardians,
      });
      return campaign;
    });
  }

  async get(id: string): Promise<CampaignRow> {
    const campaign = await this.repository.find(id);
    if (!campaign) throw AppError.notFound('campaign', id);
    return campaign;
  }

  /** The campaign with its progress, summed from its tallies as of now (a few thousand rows at most). */
  async view(id: string): Promise<CampaignView> {
    const campaign = await this.get(id);
    const asOf = this.clock.now();
    const progress = await this.deliveries.progress(campaign.id);
    // Over the last minute, or since sending started when that is less: ten seconds in, sixty would
    // understate the rate sixfold.
    const window = Math.min(
      60,
      Math.max(1, campaign.startedAt ? (asOf.getTime() - campaign.startedAt.getTime()) / 1000 : 60),
    );
    // A rate and a time left only while it sends: paused, the last minute's sends only fade out, and the
    // time left grew with each view.
    const sending = campaign.status === (CampaignStatus.Sending as string);
    const ratePerSecond = sending ? Math.round((progress.sentLastMinute / window) * 10) / 10 : 0;
    const etaSeconds =
      campaign.status === (CampaignStatus.Completed as string)
        ? 0
        : !sending
          ? null
          : progress.remaining === 0
            ? 0
            : ratePerSecond > 0
              ? Math.ceil(progress.remaining / ratePerSecond)
              : null;
    return { ...campaign, progress: { ...progress, ratePerSecond, etaSeconds, asOf } };
  }

  list(incidentId: string): Promise<CampaignRow[]> {
    return this.repository.forIncident(incidentId);
  }

  /**
   * A sample of the notice as a recipient would get it, with a sample person. A finished campaign shows
   * what it sent (its sealed copies, the sample person's parts filled in), not today's incident text.
   */
  async preview(
    id: string,
    query: PreviewQuery,
  ): Promise<Partial<RenderedNotice> & Pick<RenderedNotice, 'template' | 'locale'> & { sentAt?: Date }> {
    const campaign = await this.get(id);
    const incident = await this.incidents.get(campaign.incidentId);
    const template = query.recipient === 'guardian' ? guardianTemplate(campaign.template) : campaign.template;
    if (query.timeZone && !canonicalTimeZone(query.timeZone)) {
      throw AppError.invalid([
        { field: 'timeZone', rule: 'isTimeZone', message: 'timeZone must be an IANA time zone' },
      ]);
    }
    if (!this.renderer.has(template)) {
      throw AppError.invalid([
        {
          field: 'recipient',
          rule: 'hasGuardianTemplate',
          message: `template ${campaign.template} has no guardian version (${template})`,
        },
      ]);
    }
    const sample = {
      organization: this.config.organizationName,
      contactEmail: this.config.privacyContactEmail,
      url: `${this.config.publicBaseUrl}/n/${this.tokens.token(0)}`,
      name: query.recipient === 'guardian' ? 'Sam Sample' : 'Alex Sample',
      child: query.recipient === 'guardian' ? 'Alex Sample' : null,
      locale: query.locale ?? null,
      timeZone: query.timeZone ?? null,
      jurisdiction: query.jurisdiction?.toUpperCase() ?? null,
      exposed: incident.dataCategories,
      incident,
      // As if it went out now.
      sentAt: this.clock.now(),
    };
    if (FINISHED.has(campaign.status)) return this.sentPreview(campaign, template, sample, query.channel);
    return this.renderer.render(template, sample);
  }

  /**
   * What a finished campaign sent, for a sample recipient: its sealed copies of that locale and variant,
   * the per-person parts (greeting, data, dates in their zone, link) filled for the sample person.
   */
  private async sentPreview(
    campaign: CampaignRow,
    template: string,
    sample: NoticeFacts,
    channel?: Channel,
  ): Promise<Partial<RenderedNotice> & Pick<RenderedNotice, 'template' | 'locale'> & { sentAt?: Date }> {
    const locale = this.renderer.resolveLocale(template, sample.locale);
    const variant = noticeVariant(sample.jurisdiction);
    const copies = (await this.copies.ofCampaign(campaign.id)).filter((c) => c.template === template);
    // The latest rendering of each channel (an incident's text edited mid-campaign has two).
    const latest = (channel: Channel) =>
      copies
        .filter((c) => c.content.channel === channel && c.locale === locale && c.variant === variant)
        .at(-1);
    const [email, sms, push] = [latest('email'), latest('sms'), latest('push')];
    if (channel ? !latest(channel) : !email && !sms && !push) {
      const sent = [...new Set(copies.map((c) => `${c.locale}${c.variant ? ` (${c.variant})` : ''}`))];
      throw new AppError(
        ErrorCode.NotFound,
        `campaign ${campaign.id} sent no ${template} ${channel ?? 'notice'} in ${locale}${variant ? ` for ${variant}` : ''}; it sent: ${sent.join(', ') || 'nothing'}`,
      );
    }
    const values = this.renderer.substitutions(template, { ...sample, locale });
    const fill = (text: string) => substitute(text, values);
    const link = (text: string) => text.replaceAll(LINK_TOKEN, sample.url);
    // Only what went out: a channel it did not send on is left out of the preview.
    return {
      template,
      locale,
      ...(email?.content.channel === 'email'
        ? {
            email: {
              subject: fill(email.content.subject),
              html: fill(email.content.html),
              text: fill(email.content.text),
            },
          }
        : {}),
      ...(sms?.content.channel === 'sms'
        ? { sms: { body: link(sms.content.body), ...smsSize(link(sms.content.body)) } }
        : {}),
      ...(push?.content.channel === 'push'
        ? { push: { title: push.content.title, body: link(push.content.body) } }
        : {}),
      sentAt: [email, sms, push].flatMap((c) => (c ? [c.firstSentAt] : [])).sort((a, b) => +a - +b)[0],
    };
  }

  /**
   * Four eyes: not the author's key, nor another key of its holder, nor a key the author made after
   * drafting (an admin could otherwise draft, make themselves an approver key, and approve). The incident
   * is checked again: it may have been closed, or its notice facts emptied, since the draft. Sending
   * starts once approved.
   */
  async approve(actor: Actor, id: string): Promise<CampaignRow> {
    const campaign = await this.get(id);
    await this.keys.checkFourEyes(actor, campaign.createdBy, campaign.createdAt, 'a campaign');
    checkNoticeable(await this.incidents.get(campaign.incidentId));
    const now = this.clock.now();
    const approved = await this.database.transaction(async () => {
      // After a freeze of the set that is under way, never beside it: a freeze that began before the
      // approval may replace the set, and the plan must read the set it leaves. A share lock: a cancel
      // holding the campaign row still adds to the timeline (a key-share lock), so the two never deadlock.
      await this.timeline.lockIncidentShared(campaign.incidentId);
      const moved = await this.repository.move(id, [CampaignStatus.Draft], {
        status: CampaignStatus.Approved,
        approvedBy: actor.keyId,
        approvedAt: now,
        updatedAt: now,
      });
      // The status now, not as read before: another approval or a cancel may have come first.
      if (!moved) throw this.refused(await this.get(id), 'approve');
      await this.record(actor, moved, 'campaign.approved', now, {});
      return moved;
    });
    await this.afterCommit(id, () => this.enqueuePlan(id));
    return approved;
  }

  async pause(actor: Actor, id: string): Promise<CampaignRow> {
    return this.change(actor, id, [CampaignStatus.Approved, CampaignStatus.Sending], CampaignStatus.Paused);
  }

  async resume(actor: Actor, id: string): Promise<CampaignRow> {
    const campaign = await this.get(id);
    // Not yet planned: back to approved, and planned now.
    const to = campaign.recipients === null ? CampaignStatus.Approved : CampaignStatus.Sending;
    const resumed = await this.change(actor, id, [CampaignStatus.Paused], to);
    await this.afterCommit(id, () =>
      to === CampaignStatus.Approved ? this.enqueuePlan(id) : this.topUp(id),
    );
    return resumed;
  }

  /**
   * A provider refused our account (credentials, suspension), or has been unavailable through many tries:
   * sending more would only fail, and failing everyone over to another channel would be wrong. The
   * campaign pauses, on the timeline with the reason; it resumes by hand once the account is fixed or the
   * provider is back.
   */
  async pauseForProvider(
    id: string,
    channel: string,
    code: string,
    reason: 'provider_refused_account' | 'provider_unavailable',
  ): Promise<void> {
    const now = this.clock.now();
    await this.database.transaction(async () => {
      const paused = await this.repository.move(id, [CampaignStatus.Sending], {
        status: CampaignStatus.Paused,
        updatedAt: now,
      });
      if (!paused) return;
      this.logger.error({ campaignId: id, channel, code, reason }, 'campaign paused for its provider');
      await this.record(SYSTEM_ACTOR, paused, 'campaign.paused', now, { reason, channel, code });
    });
  }

  /**
   * A completed campaign with new messages to send (notices that failed after they had left, falling
   * back to the next channel) is sending again, on the timeline. In the caller's transaction.
   */
  async reopen(id: string, deliveries: number, now: Date): Promise<void> {
    const reopened = await this.repository.move(id, [CampaignStatus.Completed], {
      status: CampaignStatus.Sending,
      finishedAt: null,
      updatedAt: now,
    });
    if (reopened) {
      await this.record(SYSTEM_ACTOR, reopened, 'campaign.reopened', now, {
        reason: 'failed_after_send',
        deliveries,
      });
    }
  }

  async cancel(actor: Actor, id: string): Promise<CampaignRow> {
    const now = this.clock.now();
    return this.database.transaction(async () => {
      const cancelled = await this.repository.move(id, ACTIVE_STATUSES, {
        status: CampaignStatus.Cancelled,
        finishedAt: now,
        updatedAt: now,
      });
      if (!cancelled) throw this.refused(await this.get(id), 'cancel');
      await this.deliveries.cancel(id, now);
      await this.record(actor, cancelled, 'campaign.cancelled', now, {});
      return cancelled;
    });
  }

  /**
   * Writes the campaign's deliveries, first messages and batches in one transaction (set-based), then
   * starts sending. Runs again harmlessly: only an approved campaign is planned.
   */
  @OnJob(JobName.CampaignPlan)
  async plan(payload: JobPayload<JobName.CampaignPlan>): Promise<Record<string, unknown>> {
    const campaign = await this.repository.find(payload.campaignId);
    if (!campaign || campaign.status !== CampaignStatus.Approved) {
      return { skipped: campaign?.status ?? 'missing' };
    }
    const now = this.clock.now();
    const started = performance.now();
    const locales = await this.repository.localesOf(campaign.incidentId);
    const resolved = locales.filter((l): l is string => l !== null);
    const planned = await this.database
      .transaction(async () => {
        await this.repository.lockCampaign(campaign.id);
        const current = await this.repository.find(campaign.id);
        if (current?.status !== CampaignStatus.Approved) return undefined;
        const recipients = await this.repository.planDeliveries({
          campaignId: campaign.id,
          incidentId: campaign.incidentId,
          locales: {
            from: resolved,
            to: resolved.map((l) => this.renderer.resolveLocale(campaign.template, l)),
            fallback: this.renderer.resolveLocale(campaign.template, null),
          },
          channels: campaign.channels as Channel[],
          mode: campaign.mode as 'escalate' | 'all',
          includeGuardians: campaign.includeGuardians,
          template: campaign.template,
          guardianTemplate: guardianTemplate(campaign.template),
          now,
        });
        await this.repository.planMessages(
          campaign.id,
          campaign.mode as 'escalate' | 'all',
          batchSizes(this.config),
          now,
        );
        const sending = await this.repository.move(campaign.id, [CampaignStatus.Approved], {
          status: CampaignStatus.Sending,
          recipients,
          // When sending could start: after the planning.
          startedAt: this.clock.now(),
          updatedAt: now,
        });
        // Paused or cancelled while it planned: the plan is undone, and made again on resume.
        if (!sending) throw new PlanInterrupted();
        await this.record(SYSTEM_ACTOR, sending, 'campaign.sending', now, { recipients });
        return recipients;
      })
      .catch((err: unknown) => {
        if (err instanceof PlanInterrupted) return undefined;
        throw err;
      });
    if (planned === undefined) return { skipped: 'not approved' };
    this.logger.log(
      { campaignId: campaign.id, recipients: planned, ms: Math.round(performance.now() - started) },
      'campaign planned',
    );
    await this.topUp(campaign.id);
    await this.finishIfIdle(campaign.id);
    return { recipients: planned };
  }

  /** Queues the next batches of a sending campaign, up to the window per channel. */
  async topUp(campaignId: string): Promise<number> {
    const taken = await this.deliveries.takePending(campaignId, WINDOW, this.clock.now());
    // Queued after the commit; a batch whose job never arrives is found by the reconciler.
    for (const batch of taken) {
      await this.jobs.add(SEND_JOB[batch.channel], { batchId: batch.id }, { jobId: batchJobId(batch) });
    }
    return taken.length;
  }

  /**
   * A sending campaign with nothing left to send is completed. Idle is asked again under the campaign's
   * row lock: a webhook's fallback (`applyEvents`) holds that lock while it adds messages, so they are
   * either committed and seen here, or added after the completion and reopen it; asked only before, a
   * fallback committed in between was stranded in a completed campaign. A delivery still pending then has
   * nothing left that could settle it (a defect, logged): it is settled from its messages.
   */
  async finishIfIdle(campaignId: string): Promise<boolean> {
    if (!(await this.deliveries.idle(campaignId))) return false;
    const now = this.clock.now();
    return this.database.transaction(async () => {
      const campaign = await this.repository.findForUpdate(campaignId);
      if (campaign?.status !== CampaignStatus.Sending) return false;
      if (!(await this.deliveries.idle(campaignId))) return false;
      const done = await this.repository.move(campaignId, [CampaignStatus.Sending], {
        status: CampaignStatus.Completed,
        finishedAt: now,
        updatedAt: now,
      });
      if (!done) return false;
      let progress = await this.deliveries.progress(campaignId);
      if (progress.deliveries.pending) {
        const settled = await this.deliveries.settleStranded(campaignId, now);
        this.logger.error({ campaignId, ...settled }, 'campaign idle with deliveries pending: settled');
        progress = await this.deliveries.progress(campaignId);
      }
      await this.record(SYSTEM_ACTOR, done, 'campaign.completed', now, { deliveries: progress.deliveries });
      return true;
    });
  }

  async enqueuePlan(campaignId: string): Promise<void> {
    await this.jobs.add(
      JobName.CampaignPlan,
      { campaignId },
      { jobId: `plan-${campaignId}`, removeOnComplete: true, removeOnFail: true },
    );
  }

  private checkTemplate(input: CreateCampaign): void {
    // Push is an alert pointing to the notice, never the notice: a campaign needs a channel that carries it.
    if (!input.channels.some((c) => NOTICE_CHANNELS.includes(c))) {
      throw AppError.invalid([
        {
          field: 'channels',
          rule: 'hasNoticeChannel',
          message: 'channels must include email or sms: a push alert alone notifies nobody',
        },
      ]);
    }
    if (!this.renderer.has(input.template) || this.renderer.audience(input.template) !== 'person') {
      const known = this.renderer.names.filter((n) => this.renderer.audience(n) === 'person');
      throw AppError.invalid([
        {
          field: 'template',
          rule: 'isKnownTemplate',
          message: `template must be one of ${known.join(', ')}`,
        },
      ]);
    }
    if (input.includeGuardians && !this.renderer.has(guardianTemplate(input.template))) {
      throw AppError.invalid([
        {
          field: 'includeGuardians',
          rule: 'hasGuardianTemplate',
          message: `template ${input.template} has no guardian version (${guardianTemplate(input.template)})`,
        },
      ]);
    }
  }

  private async change(actor: Actor, id: string, from: string[], to: CampaignStatus): Promise<CampaignRow> {
    const now = this.clock.now();
    return this.database.transaction(async () => {
      const moved = await this.repository.move(id, from, { status: to, updatedAt: now });
      const verb = to === CampaignStatus.Paused ? 'pause' : 'resume';
      if (!moved) throw this.refused(await this.get(id), verb);
      await this.record(actor, moved, `campaign.${verb}d`, now, {});
      return moved;
    });
  }

  /**
   * Queues what a committed step starts. The step stands whatever happens here: with the queue away the
   * reconciler plans approved campaigns and tops up sending ones once it is back.
   */
  private async afterCommit(id: string, start: () => Promise<unknown>): Promise<void> {
    await start().catch((err: unknown) => {
      this.logger.warn({ campaignId: id, err: messageOf(err) }, 'queued later by the reconciler');
    });
  }

  private refused(campaign: CampaignRow, action: string): AppError {
    return new AppError(ErrorCode.Conflict, `the campaign is ${campaign.status}: it cannot ${action}`, {
      status: campaign.status,
    });
  }

  /** The timeline and the audit log, in the caller's transaction. */
  private async record(
    actor: Actor,
    campaign: CampaignRow,
    kind: string,
    at: Date,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.timeline.addEvent({
      incidentId: campaign.incidentId,
      at,
      kind,
      actorKeyId: actor.keyId,
      details: { campaignId: campaign.id, ...details },
    });
    await this.audit.record(actor, {
      action: kind,
      targetType: 'campaign',
      targetId: campaign.id,
      summary: { incidentId: campaign.incidentId, ...details },
    });
  }
}
