import { Injectable, Logger } from '@nestjs/common';
import type { Channel } from '../channels/channel.port.js';
import { SYSTEM_ACTOR } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, JobPayload } from '../queue/queue.catalogue.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { CampaignLifecycle } from './campaign.lifecycle.js';
import { batchSizes, CampaignStatus, guardianTemplate } from './campaign.rules.js';
import { CampaignRow, CampaignsRepository, type Reader } from './campaigns.repository.js';
import { NoticeOrdering, type NoticeHold } from '../jurisdictions/notice-ordering.js';
import { DeliveriesRepository, type PlanSettings } from './deliveries.repository.js';
import { MessagesRepository } from './messages.repository.js';
import { SmsFit } from './sms-fit.js';

/** Thrown to undo a plan whose campaign was paused or cancelled while it was made. */
class PlanInterrupted extends Error {}

/** The plan job: an approved campaign's deliveries, first messages and batches, then the first window. */
@Injectable()
export class CampaignPlanner {
  private readonly logger = new Logger(CampaignPlanner.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly campaigns: CampaignsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly messages: MessagesRepository,
    private readonly lifecycle: CampaignLifecycle,
    private readonly renderer: NoticeRenderer,
    private readonly ordering: NoticeOrdering,
    private readonly smsFit: SmsFit,
    private readonly incidents: IncidentsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Writes the campaign's deliveries, first messages and batches in one transaction (set-based), then
   * starts sending. Runs again harmlessly: only an approved campaign is planned.
   */
  @OnJob(JobName.CampaignPlan)
  async plan(payload: JobPayload<JobName.CampaignPlan>): Promise<Record<string, unknown>> {
    const campaign = await this.campaigns.find(payload.campaignId);
    if (!campaign || campaign.status !== CampaignStatus.Approved) {
      return { skipped: campaign?.status ?? 'missing' };
    }
    const now = this.clock.now();
    const started = performance.now();
    const readers = await this.readers(campaign.incidentId);
    const incident = await this.incidents.get(campaign.incidentId);
    const planned = await this.database
      // Set-based over every recipient: the bulk statement limit (31-35 s in all at a million).
      .transaction(() => this.write(campaign, readers, incident, now), { bulk: true })
      .catch((err: unknown) => {
        if (err instanceof PlanInterrupted) return undefined;
        throw err;
      });
    if (planned === undefined) return { skipped: 'not approved' };
    this.logger.log(
      { campaignId: campaign.id, recipients: planned, ms: Math.round(performance.now() - started) },
      'campaign planned',
    );
    await this.lifecycle.topUp(campaign.id);
    await this.lifecycle.finishIfIdle(campaign.id);
    return { recipients: planned };
  }

  /**
   * The plan's writes, in the caller's transaction, for the readers' languages and the jurisdictions
   * they are read in; undefined when the campaign is no longer approved.
   */
  private async write(
    campaign: CampaignRow,
    readers: readonly Reader[],
    incident: IncidentRow,
    now: Date,
  ): Promise<number | undefined> {
    await this.campaigns.lockCampaign(campaign.id);
    const current = await this.campaigns.find(campaign.id);
    if (current?.status !== CampaignStatus.Approved) return undefined;
    // Residents the law wants told only after a report (Singapore: on or after the PDPC) wait for it.
    const holds = await this.ordering.holds(campaign.incidentId);
    const recipients = await this.deliveries.planDeliveries(
      this.settings(campaign, readers, holds, incident, now),
    );
    await this.messages.planMessages(
      campaign.id,
      campaign.mode as 'escalate' | 'all',
      batchSizes(this.config),
      now,
    );
    const sending = await this.campaigns.move(campaign.id, [CampaignStatus.Approved], {
      status: CampaignStatus.Sending,
      recipients,
      // When sending could start: after the planning.
      startedAt: this.clock.now(),
      updatedAt: now,
    });
    // Paused or cancelled while it planned: the plan is undone, and made again on resume.
    if (!sending) throw new PlanInterrupted();
    await this.lifecycle.record(SYSTEM_ACTOR, sending, 'campaign.sending', now, { recipients });
    if (holds.length > 0) {
      await this.lifecycle.record(SYSTEM_ACTOR, sending, 'campaign.held_back', now, {
        holds: holdDetails(holds),
      });
    }
    return recipients;
  }

  /** The planner's settings for a campaign, with the jurisdictions held back. */
  private settings(
    campaign: CampaignRow,
    readers: readonly Reader[],
    holds: readonly NoticeHold[],
    incident: IncidentRow,
    now: Date,
  ): PlanSettings {
    return {
      campaignId: campaign.id,
      incidentId: campaign.incidentId,
      locales: this.locales(campaign, readers, incident, now),

      channels: campaign.channels as Channel[],
      mode: campaign.mode as 'escalate' | 'all',
      includeGuardians: campaign.includeGuardians,
      template: campaign.template,
      guardianTemplate: guardianTemplate(campaign.template),
      esignConsent: this.config.esignConsent,
      held: [...new Set(holds.map((h) => h.jurisdiction))],
      now,
    };
  }

  /**
   * Each language of the readers and jurisdiction it is read in, with the locale its notice is in for
   * either audience: the renderer's own resolution with the audience's template, so a notice is planned
   * in the locale it renders in. Both audiences for every language: the readers are read before the plan's
   * transaction, and a guardian's contact given in between still finds their language here. With each,
   * whether the SMS cannot carry that notice in one message (SmsFit): there SMS does not count as it.
   */
  private locales(
    campaign: CampaignRow,
    readers: readonly Reader[],
    incident: IncidentRow,
    now: Date,
  ): PlanSettings['locales'] {
    const templates = { person: campaign.template, guardian: guardianTemplate(campaign.template) };
    const withSms = campaign.channels.includes('sms');
    const locales: PlanSettings['locales'] = {
      from: [],
      jurisdictions: [],
      guardians: [],
      to: [],
      smsLeadOnly: [],
      fallback: {
        person: this.renderer.resolveLocale(templates.person, null),
        guardian: this.renderer.resolveLocale(templates.guardian, null),
      },
    };
    const seen = new Set<string>();
    const measured = new Map<string, boolean>();
    for (const { locale, jurisdiction } of readers) {
      const key = `${locale ?? ''}|${jurisdiction ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const guardian of [false, true]) {
        locales.from.push(locale ?? '');
        locales.jurisdictions.push(jurisdiction ?? '');
        locales.guardians.push(guardian);
        const template = guardian ? templates.guardian : templates.person;
        const to = this.renderer.resolveLocale(template, locale, jurisdiction);
        locales.to.push(to);
        // Measured once per notice (many languages resolve to one), and only with SMS among the channels.
        const notice = `${template}|${to}|${jurisdiction ?? ''}`;
        if (withSms && !measured.has(notice)) {
          measured.set(notice, !this.smsFit.fits(template, to, jurisdiction, incident, now));
        }
        locales.smsLeadOnly.push(measured.get(notice) ?? false);
      }
    }
    return locales;
  }

  /**
   * The incident's readers (readers.sql.ts, as the campaign warnings read them): a join of the whole
   * affected set with the directory (1.3-2.8 s at a million, docs/benchmarks.md), outside the plan's
   * transaction, so it gets the bulk statement limit of its own.
   */
  private readers(incidentId: string): Promise<Reader[]> {
    return this.database.transaction(() => this.campaigns.readers(incidentId), { bulk: true });
  }

  /**
   * After a report was submitted: the residents an incident's campaign held back until it, now free, are
   * planned into it (the latest campaign still sending or completed; a completed one sends again), each
   * on the timeline. Runs again harmlessly: only people the campaign has no delivery for are planned.
   */
  @OnJob(JobName.CampaignRelease)
  async release(payload: JobPayload<JobName.CampaignRelease>): Promise<Record<string, unknown>> {
    const open = (await this.campaigns.forIncident(payload.incidentId)).filter(
      (c) => c.status === CampaignStatus.Sending || c.status === CampaignStatus.Completed,
    );
    const campaign = open[0]; // the latest (forIncident is newest first)
    if (!campaign) return { skipped: 'no campaign sending or completed' };
    const now = this.clock.now();
    const readers = await this.readers(campaign.incidentId);
    const incident = await this.incidents.get(campaign.incidentId);
    const releaseNow = async () => {
      await this.campaigns.lockCampaign(campaign.id);
      const current = await this.campaigns.find(campaign.id);
      if (current?.status !== CampaignStatus.Sending && current?.status !== CampaignStatus.Completed)
        return 0;
      const holds = await this.ordering.holds(campaign.incidentId);
      const after = await this.deliveries.lastId(campaign.id);
      const settings = { ...this.settings(current, readers, holds, incident, now), onlyNew: true };
      const added = await this.deliveries.planDeliveries(settings);
      if (added === 0) return 0;
      await this.messages.planMessages(
        current.id,
        current.mode as 'escalate' | 'all',
        batchSizes(this.config),
        now,
        after,
      );
      const moved = await this.campaigns.move(
        current.id,
        [CampaignStatus.Sending, CampaignStatus.Completed],
        {
          status: CampaignStatus.Sending,
          recipients: (current.recipients ?? 0) + added,
          finishedAt: null,
          updatedAt: now,
        },
      );
      if (moved)
        await this.lifecycle.record(SYSTEM_ACTOR, moved, 'campaign.released', now, { recipients: added });
      return added;
    };
    // Set-based over the residents held back, who may be most of the campaign: the bulk statement limit.
    const released = await this.database.transaction(releaseNow, { bulk: true });
    if (released > 0) {
      await this.lifecycle.topUp(campaign.id);
      await this.lifecycle.finishIfIdle(campaign.id);
    }
    return { campaignId: campaign.id, released };
  }
}

/** What the timeline says of holds: no one's data, the jurisdictions, counts and the report awaited. */
const holdDetails = (holds: readonly NoticeHold[]) =>
  holds.map((h) => ({
    jurisdiction: h.jurisdiction,
    residents: h.residents,
    // What releases them, as the reconciler reads it back when a release job was lost.
    regulatorId: h.regulatorId,
    afterReport: h.afterReport,
    until: `${h.afterReport} report to ${h.regulatorName} submitted`,
    why: h.why,
  }));
