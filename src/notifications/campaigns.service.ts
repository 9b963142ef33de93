import { NoticeOrdering, type NoticeHold } from '../jurisdictions/notice-ordering.js';
import { Injectable, Logger } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { NOTICE_CHANNELS, type Channel } from '../channels/channel.port.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode, messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import { Revocations } from '../database/revocations.js';
import { canTransition, IncidentState } from '../incidents/incident.lifecycle.js';
import { IncidentsRepository, type IncidentRow } from '../incidents/incidents.repository.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { canonicalTimeZone } from '../subjects/subject.validation.js';
import { noticeShape } from '../jurisdictions/rules/notice-profiles.js';
import { substitute } from '../channels/substitutions.js';
import { smsSize } from '../templates/sms-segments.js';
import { asSent } from '../templates/tokens.js';
import {
  NoticeRenderer,
  noticeVariant,
  type NoticeFacts,
  type RenderedNotice,
} from '../templates/notice.renderer.js';
import { LINK_TOKEN, NoticeCopies } from './notice-copies.js';
import { approvedWords, wordsChanged } from './approved-words.js';
import { CampaignLifecycle } from './campaign.lifecycle.js';
import { CampaignWarnings, type CampaignWarning } from './campaign.warnings.js';
import {
  ACTIVE_STATUSES,
  CampaignStatus,
  checkNoticeable,
  guardianTemplate,
  missingGuardianWords,
} from './campaign.rules.js';
import { CampaignRow, CampaignsRepository } from './campaigns.repository.js';
import { MessagesRepository } from './messages.repository.js';
import { NoticeTokens } from './notice-token.js';
import { TalliesRepository, type Progress } from './tallies.repository.js';

export interface CreateCampaign {
  template: string;
  channels: Channel[];
  mode: 'escalate' | 'all';
  includeGuardians: boolean;
}

export interface CampaignView extends CampaignRow {
  progress: Progress & { ratePerSecond: number; etaSeconds: number | null; asOf: Date };
  /** Residents held back until a report the law wants first is submitted (Singapore's PDPC); absent: none. */
  heldBack?: NoticeHold[];
  /** What it would do that responders should know before it goes out (a draft's, and at approval). */
  warnings?: CampaignWarning[];
}

/** A campaign as drafted or approved, with what it would do that responders should know. */
export type CampaignWithWarnings = CampaignRow & { warnings: CampaignWarning[] };

export interface PreviewQuery {
  channel?: Channel;
  locale?: string;
  jurisdiction?: string;
  timeZone?: string;
  recipient?: 'person' | 'guardian';
}

/** A notice as previewed: every channel's rendering, or one; `sentAt` when it is what a campaign sent. */
type Preview = Partial<RenderedNotice> & Pick<RenderedNotice, 'template' | 'locale'> & { sentAt?: Date };

/** A campaign that sends no more: its preview is what it sent. */
const FINISHED = new Set<string>([CampaignStatus.Completed, CampaignStatus.Cancelled]);

/**
 * Campaigns as responders handle them: draft, preview, four-eyes approval, pause/resume/cancel,
 * progress. What sending then does goes through CampaignLifecycle.
 */
@Injectable()
export class CampaignsService {
  private readonly logger = new Logger(CampaignsService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: CampaignsRepository,
    private readonly messages: MessagesRepository,
    private readonly tallies: TalliesRepository,
    private readonly lifecycle: CampaignLifecycle,
    private readonly incidents: IncidentsService,
    private readonly timeline: IncidentsRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly renderer: NoticeRenderer,
    private readonly keys: ApiKeysService,
    private readonly tokens: NoticeTokens,
    private readonly copies: NoticeCopies,
    private readonly ordering: NoticeOrdering,
    private readonly warnings: CampaignWarnings,
    private readonly revocations: Revocations,
  ) {}

  async create(actor: Actor, incidentId: string, input: CreateCampaign): Promise<CampaignWithWarnings> {
    const incident = await this.incidents.get(incidentId);
    checkNoticeable(incident);
    await this.checkFrozenSet(incidentId);
    this.checkTemplate(input);
    await this.checkGuardianWords(incident, input.includeGuardians);
    const warnings = await this.warnings.of(input, incident, { fresh: true });
    await this.warnings.checkRequiredFacts(input, incident);
    const now = this.clock.now();
    const campaign = await this.database.transaction(async () => {
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
      await this.lifecycle.record(actor, campaign, 'campaign.created', now, {
        template: input.template,
        channels: input.channels,
        mode: input.mode,
        includeGuardians: input.includeGuardians,
      });
      return campaign;
    });
    return { ...campaign, warnings };
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
    const progress = await this.tallies.progress(campaign.id);
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
    // Who this campaign holds back, while it may still plan them (a finished or cancelled one does not).
    const open = campaign.status !== (CampaignStatus.Cancelled as string);
    const holds = open ? await this.ordering.holds(campaign.incidentId, { forView: true }) : [];
    // A draft's warnings, as its approver will see them (once approved, they are on its timeline).
    const draft = campaign.status === (CampaignStatus.Draft as string);
    const warnings = draft
      ? await this.warnings.of(campaign, await this.incidents.get(campaign.incidentId))
      : undefined;
    return {
      ...campaign,
      progress: { ...progress, ratePerSecond, etaSeconds, asOf },
      ...(holds.length > 0 ? { heldBack: holds } : {}),
      ...(warnings ? { warnings } : {}),
    };
  }

  list(incidentId: string): Promise<CampaignRow[]> {
    return this.repository.forIncident(incidentId);
  }

  /**
   * A sample of the notice as a recipient would get it, with a sample person, and the campaign's warnings
   * (of what it would send to everyone, not only this sample). A finished campaign shows what it sent
   * (its sealed copies, the sample person's parts filled in), not today's incident text, and warns of
   * nothing: it sends no more.
   */
  async preview(id: string, query: PreviewQuery): Promise<Preview & { warnings: CampaignWarning[] }> {
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
    if (FINISHED.has(campaign.status)) {
      return { ...(await this.sentPreview(campaign, template, sample, query.channel)), warnings: [] };
    }
    return {
      ...this.renderer.render(template, sample),
      warnings: await this.warnings.of(campaign, incident),
    };
  }

  /**
   * What a finished campaign sent, for a sample recipient: its sealed copies of that locale and variant,
   * the per-person parts (greeting, data, dates in their zone, link) filled for the sample person; only
   * the channels it sent on (one it did not send on, asked for, is a 404 naming what it sent).
   */
  private async sentPreview(
    campaign: CampaignRow,
    template: string,
    sample: NoticeFacts,
    channel?: Channel,
  ): Promise<Preview> {
    const locale = this.renderer.resolveLocale(template, sample.locale);
    const variant = noticeVariant(sample.jurisdiction);
    const copies = (await this.copies.ofCampaign(campaign.id)).filter((c) => c.template === template);
    // The latest rendering of each channel (an incident's text edited mid-campaign has two); of an SMS,
    // the notice, unless only its lead went (to readers whose notice did not fit one SMS).
    const latest = (on: Channel) => {
      const sent = copies.filter(
        (c) => c.content.channel === on && c.locale === locale && c.variant === variant,
      );
      return sent.filter((c) => !(c.content.channel === 'sms' && c.content.leadOnly)).at(-1) ?? sent.at(-1);
    };
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
    // An SMS goes as it is: the copy's guard on the responders' words (see `inert`) is lifted once filled.
    const sentSms = (text: string) => asSent(fill(text));
    const link = (text: string) => text.replaceAll(LINK_TOKEN, sample.url);
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
        ? { sms: { body: sentSms(sms.content.body), ...smsSize(sentSms(sms.content.body)) } }
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
   * starts once approved. Warnings do not hold it up: the approver saw them on the draft, and the
   * approval records those it went out with (code, locales, fields) on the timeline and in the audit log.
   */
  async approve(actor: Actor, id: string): Promise<CampaignWithWarnings> {
    const campaign = await this.get(id);
    await this.keys.checkFourEyes(actor, campaign.createdBy, campaign.createdAt, 'a campaign');
    const incident = await this.incidents.get(campaign.incidentId);
    // Paused because its incident changed since its approval: approved again as its notices now read,
    // with every check of a first approval.
    const again = campaign.status === CampaignStatus.Paused && wordsChanged(campaign.approvedWords, incident);
    checkNoticeable(incident);
    await this.checkFrozenSet(incident.id);
    await this.checkGuardianWords(incident, campaign.includeGuardians);
    const now = this.clock.now();
    const approved = await this.database.transaction(async () => {
      // After a freeze of the set that is under way, never beside it: a freeze that began before the
      // approval may replace the set, and the plan must read the set it leaves. A share lock: a cancel
      // holding the campaign row still adds to the timeline (a key-share lock), so the two never deadlock.
      await this.timeline.lockIncidentShared(campaign.incidentId);
      // Of the set the plan will read, read now: what it records is what it went out with.
      const warnings = await this.warnings.of(campaign, incident, { fresh: true });
      await this.warnings.checkRequiredFacts(campaign, incident);
      const words = approvedWords(incident, await this.warnings.wordsScope(campaign, incident.id));
      if (again) return { ...(await this.lifecycle.reapprove(actor, campaign, words, now)), warnings };
      const moved = await this.repository.move(id, [CampaignStatus.Draft], {
        status: CampaignStatus.Approved,
        approvedBy: actor.keyId,
        approvedAt: now,
        approvedWords: words,
        updatedAt: now,
      });
      // The status now, not as read before: another approval or a cancel may have come first.
      if (!moved) throw this.refused(await this.get(id), 'approve');
      const accepted = warnings.map(({ code, locales, fields }) => ({ code, locales, fields }));
      await this.lifecycle.record(
        actor,
        moved,
        'campaign.approved',
        now,
        accepted.length > 0 ? { warnings: accepted } : {},
      );
      await this.startNotifying(actor, campaign.incidentId, id);
      return { ...moved, warnings };
    });
    await this.afterCommit(id, () =>
      again ? this.lifecycle.afterReapproval(approved) : this.lifecycle.enqueuePlan(id),
    );
    return approved;
  }

  /**
   * A campaign that starts puts its incident in `notifying` (on its timeline, by the approver), from the
   * states the lifecycle moves there from (confirmed, monitoring). An incident not confirmed yet keeps its
   * state: a notice may go out before the assessment ends, and confirming needs the risk assessed.
   */
  private async startNotifying(actor: Actor, incidentId: string, campaignId: string): Promise<void> {
    const incident = await this.incidents.get(incidentId);
    if (!canTransition(incident.state as IncidentState, IncidentState.Notifying)) return;
    await this.incidents.transition(actor, incidentId, {
      to: IncidentState.Notifying,
      note: `campaign ${campaignId} approved`,
    });
  }

  /** A campaign sends to a frozen affected set: a draft before the first freeze completed has nobody. */
  private async checkFrozenSet(incidentId: string): Promise<void> {
    if (await this.repository.hasFrozenSet(incidentId)) return;
    throw new AppError(
      ErrorCode.Conflict,
      `the incident has no frozen affected set: freeze one first (POST /v1/incidents/${incidentId}/scope) and wait until its status is completed`,
      { missing: ['affectedSet'] },
    );
  }

  async pause(actor: Actor, id: string): Promise<CampaignRow> {
    return this.change(actor, id, [CampaignStatus.Approved, CampaignStatus.Sending], CampaignStatus.Paused);
  }

  async resume(actor: Actor, id: string): Promise<CampaignRow> {
    const campaign = await this.get(id);
    if (wordsChanged(campaign.approvedWords, await this.incidents.get(campaign.incidentId))) {
      throw new AppError(
        ErrorCode.Conflict,
        `the incident's words its notices say changed since campaign ${id} was approved: it resumes when approved again (POST /v1/campaigns/${id}/approve, by an approver)`,
        { status: campaign.status, reason: 'incident_changed' },
      );
    }
    // Not yet planned: back to approved, and planned now.
    const to = campaign.recipients === null ? CampaignStatus.Approved : CampaignStatus.Sending;
    const resumed = await this.change(actor, id, [CampaignStatus.Paused], to);
    await this.afterCommit(id, () =>
      to === CampaignStatus.Approved ? this.lifecycle.enqueuePlan(id) : this.lifecycle.topUp(id),
    );
    return resumed;
  }

  async cancel(actor: Actor, id: string): Promise<CampaignRow> {
    const now = this.clock.now();
    const cancelled = await this.database.transaction(async () => {
      const moved = await this.repository.move(id, ACTIVE_STATUSES, {
        status: CampaignStatus.Cancelled,
        finishedAt: now,
        updatedAt: now,
      });
      if (!moved) throw this.refused(await this.get(id), 'cancel');
      await this.messages.cancel(id, now);
      await this.lifecycle.record(actor, moved, 'campaign.cancelled', now, {});
      // The pages of its cancelled deliveries close, in every process.
      await this.revocations.announce('all');
      return moved;
    });
    this.revocations.revoked('all');
    return cancelled;
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

  /**
   * A guardian's notice speaks to the guardian about the child, in the guardian's version of the words
   * written to the person: a campaign that would reach guardians is refused while a version it needs is
   * missing (at draft, and again at approval: the set or the incident may have changed since).
   */
  private async checkGuardianWords(incident: IncidentRow, includeGuardians: boolean): Promise<void> {
    if (!includeGuardians) return;
    const jurisdictions = await this.repository.guardianJurisdictions(incident.id);
    if (jurisdictions.length === 0) return;
    const now = this.clock.now();
    const versions = new Set(jurisdictions.map((j) => noticeShape(j, now).wordsVersion));
    const missing = missingGuardianWords(incident, versions);
    if (missing.length > 0) {
      throw new AppError(
        ErrorCode.Conflict,
        `guardians of affected minors would be notified, and a guardian's notice speaks to the guardian about the child: give the guardian's version of ${missing.join(', ')} (or draft the campaign with includeGuardians: false)`,
        { missing },
      );
    }
  }

  private async change(actor: Actor, id: string, from: string[], to: CampaignStatus): Promise<CampaignRow> {
    const now = this.clock.now();
    return this.database.transaction(async () => {
      const moved = await this.repository.move(id, from, { status: to, updatedAt: now });
      const verb = to === CampaignStatus.Paused ? 'pause' : 'resume';
      if (!moved) throw this.refused(await this.get(id), verb);
      await this.lifecycle.record(actor, moved, `campaign.${verb}d`, now, {});
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
    // A second approval (a double click, two approvers at once) is told so, not "approved: cannot approve".
    const message =
      action === 'approve' && campaign.approvedAt
        ? `the campaign is already approved (by key ${campaign.approvedBy ?? 'unknown'}); it is ${campaign.status}`
        : `the campaign is ${campaign.status}: it cannot ${action}`;
    return new AppError(ErrorCode.Conflict, message, { status: campaign.status });
  }
}
