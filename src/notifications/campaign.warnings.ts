import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode } from '../common/errors.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { ObligationsService, type ObligationView } from '../jurisdictions/obligations.service.js';
import { wordsScopeOf, type WordsScope } from './approved-words.js';
import { individualsDueByRule } from '../jurisdictions/rules/compute.js';
import { RULES } from '../jurisdictions/rules/index.js';
import { noticeShape, type NoticeShape } from '../jurisdictions/rules/notice-profiles.js';
import type { RequiredFact } from '../jurisdictions/rules/notice-profile.types.js';
import { ALONGSIDE, untranslatedWords } from '../templates/locales.js';
import { fieldsSaid } from '../templates/notice.body.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { SMS_MAX_CHARACTERS } from '../templates/sms-segments.js';
import { given, guardianTemplate } from './campaign.rules.js';
import type { CampaignRow, Reader } from './campaigns.repository.js';
import { CampaignsRepository, readsIn } from './campaigns.repository.js';
import { SmsFit } from './sms-fit.js';

/**
 * The facts a notice of this shape must say that the incident does not give (`requires`), with those it
 * must say when it goes `late` (after its readers' individuals' due date).
 */
export const missingFacts = (incident: IncidentRow, shape: NoticeShape, late = false): RequiredFact[] =>
  (late ? [...shape.required, ...shape.requiredWhenLate] : shape.required).filter(
    (fact) => !given(incident[fact]),
  );

/**
 * Whether a notice to residents of `jurisdiction` goes late now: an individuals' obligation covering it
 * (the jurisdiction or its country) is due before `now`, as last computed; before they were first
 * computed, by the rules' own due date from awareness (as if it applied, the stricter side).
 */
export function noticeLate(
  obligations: readonly ObligationView[],
  jurisdiction: string | null,
  now: Date,
  awareness: Date,
): boolean {
  if (jurisdiction === null) return false;
  const country = jurisdiction.split('-')[0];
  const covering = obligations.filter(
    (o) =>
      o.audience === 'individuals' &&
      !o.withdrawnAt &&
      (o.jurisdictions.includes(jurisdiction) || o.jurisdictions.includes(country)),
  );
  const due =
    covering.length > 0
      ? covering.flatMap((o) => (o.applicable && o.dueAt ? [o.dueAt] : []))
      : individualsDueByRule(jurisdiction, awareness, RULES);
  return due.some((at) => at.getTime() < now.getTime());
}

/**
 * Something a campaign would do that its responders should know before it goes out, and may accept:
 * a warning, never a refusal (what must not go out is refused at draft and approval instead). Codes and
 * locales and the API's field names only: no person's data.
 */
export interface CampaignWarning {
  /**
   * `mixedLanguages`: notices in these locales would say some of the responders' words untranslated.
   * `smsLeadOnly`: the notice in these locales, for residents of `jurisdictions`, does not fit one SMS:
   * their SMS carries its lead alone and does not count as their notice (SMS_NOTICE).
   */
  code: 'mixedLanguages' | 'smsLeadOnly';
  /** The notices' locales concerned (a notice in two languages counts in each), sorted. */
  locales: string[];
  /** The responders' words concerned, by field in the API's terms (`remedies`, `guardianWords.remedies`). */
  fields: string[];
  /** `smsLeadOnly`: the jurisdictions concerned, sorted (`unknown` for none). */
  jurisdictions?: string[];
  message: string;
}

/** A notice the campaign's readers would read: its locale, their jurisdiction, whether a guardian reads it. */
type Notice = { locale: string; jurisdiction: string | null; guardian: boolean };

/**
 * How long a draft's view and previews reuse the readers of an incident whose set has not changed. Their
 * query joins the whole set (1.3-2.8 s at a million people, docs/benchmarks.md) and no index makes it
 * cheap; what the version does not see, people's languages (or guardians' contacts) edited in the
 * directory, shows within this long (and at once at approval, which always reads afresh).
 */
const READERS_KEPT_MS = 60_000;
/** Incidents whose readers are kept, the longest kept dropped first: a few hundred rows each. */
const READERS_KEPT_INCIDENTS = 100;

/**
 * A campaign's warnings, from the people it would reach now (not notified yet), each as the planner will
 * see them: the notice's locale as it resolves for their language and jurisdiction, the words their
 * jurisdiction's notice says, and for guardians the guardian's version.
 *
 * The readers' languages come from the database; the rest (the incident's words and translations, the
 * template, the day's law) is worked out on each call from what the caller passes. The readers are kept
 * per incident and reused while `readersVersion` says the set is the same (no freeze since, no notice
 * sent or bounced since) and for at most READERS_KEPT_MS, except with `fresh`.
 */
@Injectable()
export class CampaignWarnings {
  private readonly kept = new Map<string, { version: string; at: number; readers: Reader[] }>();

  constructor(
    private readonly repository: CampaignsRepository,
    private readonly renderer: NoticeRenderer,
    private readonly clock: Clock,
    private readonly smsFit: SmsFit,
    private readonly obligations: ObligationsService,
  ) {}

  /**
   * `fresh`: read the readers afresh (the draft itself and its approval, which records what it went out
   * with); a draft's view and previews may reuse them.
   */
  async of(
    campaign: Pick<CampaignRow, 'template' | 'includeGuardians' | 'channels'>,
    incident: IncidentRow,
    options: { fresh?: boolean } = {},
  ): Promise<CampaignWarning[]> {
    const notices = await this.notices(campaign, incident.id, options);
    return [...this.mixedLanguages(notices, incident), ...this.smsLeadOnly(campaign, notices, incident)];
  }

  private mixedLanguages(notices: Notice[], incident: IncidentRow): CampaignWarning[] {
    const now = this.clock.now();
    const untranslated = new Map<string, Set<string>>();
    for (const notice of notices) {
      const shape = noticeShape(notice.jurisdiction, now);
      const said = fieldsSaid(shape);
      for (const part of notice.locale.split(ALONGSIDE)) {
        const fields = untranslatedWords(
          incident,
          incident.language,
          part,
          notice.guardian ? 'guardian' : 'person',
          shape.wordsVersion,
          said,
        );
        if (fields.length === 0) continue;
        const found = untranslated.get(part) ?? new Set<string>();
        for (const field of fields) found.add(field);
        untranslated.set(part, found);
      }
    }
    if (untranslated.size === 0) return [];
    const locales = [...untranslated.keys()].sort();
    const fields = [...new Set([...untranslated.values()].flatMap((f) => [...f]))].sort();
    return [
      {
        code: 'mixedLanguages',
        locales,
        fields,
        message: `notices in ${locales.join(', ')} would say some of the responders' words in ${incident.language}, untranslated (${fields.join(', ')}): give them in the incident's translations for ${locales.length > 1 ? 'those languages' : 'that language'}, or approve knowing that these notices mix languages`,
      },
    ];
  }

  /**
   * What the campaign's notices can say of the incident (`WordsScope`), from its readers' jurisdictions'
   * notice shapes today: what its approval covers. Right after `of` read the readers (kept, not read twice).
   */
  async wordsScope(
    campaign: Pick<CampaignRow, 'template' | 'includeGuardians'>,
    incidentId: string,
  ): Promise<WordsScope> {
    const now = this.clock.now();
    const jurisdictions = new Set((await this.notices(campaign, incidentId)).map((n) => n.jurisdiction));
    return wordsScopeOf(
      [...jurisdictions].map((j) => noticeShape(j, now)),
      campaign.includeGuardians,
    );
  }

  /**
   * Refuses a campaign whose notices would leave out what their law lists among a notice's contents (the
   * `requires` of the readers' profiles: China's cause, Canada's date; Brazil's reasons for the delay when
   * the campaign comes after the individuals' due date), at the draft and the approval, right after `of`
   * read the readers (kept, so not read twice). A refusal, not a warning: no notice goes without them.
   */
  async checkRequiredFacts(
    campaign: Pick<CampaignRow, 'template' | 'includeGuardians'>,
    incident: IncidentRow,
  ): Promise<void> {
    const now = this.clock.now();
    const missing = new Map<string, Set<string>>();
    const jurisdictions = new Set((await this.notices(campaign, incident.id)).map((n) => n.jurisdiction));
    const shapes = [...jurisdictions].map((j) => ({ jurisdiction: j, shape: noticeShape(j, now) }));
    // The obligations are read only where a profile asks something of a late notice (Brazil's).
    const obligations = shapes.some(({ shape }) => shape.requiredWhenLate.length > 0)
      ? await this.obligations.stored(incident.id)
      : [];
    let lateOnly = false;
    for (const { jurisdiction, shape } of shapes) {
      const late =
        shape.requiredWhenLate.length > 0 &&
        noticeLate(obligations, jurisdiction, now, incident.discoveredAt);
      for (const field of missingFacts(incident, shape, late)) {
        if (shape.requiredWhenLate.includes(field)) lateOnly = true;
        const where = missing.get(field) ?? new Set<string>();
        where.add(jurisdiction ?? 'unknown');
        missing.set(field, where);
      }
    }
    if (missing.size === 0) return;
    const fields = [...missing.keys()].sort();
    const where = [...new Set([...missing.values()].flatMap((w) => [...w]))].sort();
    throw new AppError(
      ErrorCode.Conflict,
      `the notices to residents of ${where.join(', ')} must say the incident's ${fields.join(', ')}: their law lists it among what a notice says${lateOnly ? " when the notice goes after the individuals' due date" : ''}. Give it, then draft or approve the campaign again`,
      { missing: fields, jurisdictions: where },
    );
  }

  /**
   * Where the campaign has SMS and a reader's notice does not fit one (SmsFit, as the planner measures
   * it): their SMS will carry its lead alone and not count as their notice. By locale and jurisdiction,
   * never by person.
   */
  private smsLeadOnly(
    campaign: Pick<CampaignRow, 'template' | 'channels'>,
    notices: Notice[],
    incident: IncidentRow,
  ): CampaignWarning[] {
    if (!campaign.channels.includes('sms')) return [];
    const now = this.clock.now();
    const locales = new Set<string>();
    const jurisdictions = new Set<string>();
    const seen = new Set<string>();
    for (const notice of notices) {
      const template = notice.guardian ? guardianTemplate(campaign.template) : campaign.template;
      const key = `${template}|${notice.locale}|${notice.jurisdiction ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (this.smsFit.fits(template, notice.locale, notice.jurisdiction, incident, now)) continue;
      locales.add(notice.locale);
      jurisdictions.add(notice.jurisdiction ?? 'unknown');
    }
    if (locales.size === 0) return [];
    const [which, where] = [[...locales].sort(), [...jurisdictions].sort()];
    return [
      {
        code: 'smsLeadOnly',
        locales: which,
        fields: [],
        jurisdictions: where,
        message: `the notice in ${which.join(', ')} to residents of ${where.join(', ')} does not fit one SMS (${SMS_MAX_CHARACTERS} characters): their SMS will carry its lead and link alone and will not count as their notice, so they are notified only by email, else stay unreached (for a substitute or public notice). Shorter words, or their translations for those languages, lift it`,
      },
    ];
  }

  /**
   * The notices the campaign's readers would read, as the planner will write them: the locale as it
   * resolves for the reader's language and jurisdiction with the template of their audience (the
   * guardian's version for guardians), the jurisdiction, and whether a guardian reads it.
   */
  async notices(
    campaign: Pick<CampaignRow, 'template' | 'includeGuardians'>,
    incidentId: string,
    options: { fresh?: boolean } = {},
  ): Promise<Notice[]> {
    // A minor reached through their guardian reads no notice of their own: not a reader of it.
    const readers = (await this.readers(incidentId, options.fresh ?? false)).filter((r) =>
      readsIn(r, campaign.includeGuardians),
    );
    const notices = [];
    for (const reader of readers) {
      const template = reader.guardian ? guardianTemplate(campaign.template) : campaign.template;
      if (!this.renderer.has(template)) continue;
      const locale = this.renderer.resolveLocale(template, reader.locale, reader.jurisdiction);
      notices.push({ locale, jurisdiction: reader.jurisdiction, guardian: reader.guardian });
    }
    return notices;
  }

  private async readers(incidentId: string, fresh: boolean): Promise<Reader[]> {
    // The version before the readers: a change between the two makes the next call read them again,
    // never keeps readers older than their version.
    const version = await this.repository.readersVersion(incidentId);
    const at = this.clock.now().getTime();
    const kept = this.kept.get(incidentId);
    if (!fresh && kept && kept.version === version && at - kept.at < READERS_KEPT_MS) return kept.readers;
    const readers = await this.repository.readers(incidentId);
    this.kept.delete(incidentId);
    this.kept.set(incidentId, { version, at, readers });
    const oldest = this.kept.keys().next();
    if (this.kept.size > READERS_KEPT_INCIDENTS && !oldest.done) this.kept.delete(oldest.value);
    return readers;
  }
}
