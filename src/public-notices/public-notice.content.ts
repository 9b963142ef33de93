import { jurisdictionLanguages } from '../jurisdictions/languages.js';
import { rulesFor } from '../jurisdictions/rules/compute.js';
import { RULES } from '../jurisdictions/rules/index.js';
import { noticeShape } from '../jurisdictions/rules/notice-profiles.js';
import { substituteRuleFor } from '../jurisdictions/rules/substitute-notice.js';
import type { NoticeTranslations } from '../common/notice-text.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import type { NoticeIncident } from '../templates/notice.types.js';
import type { PublicNoticeRenderer, PublicNoticeText } from '../templates/public-notice.renderer.js';

// What a public notice is made of, as pure functions: its default languages and profile, its content per
// language at publication (stored in the version, never recomputed), and the longest minimum period its
// jurisdictions' substitute-notice rules set.

/** A published version's content: what the pages, the JSON, the feed and the export read. */
export interface PublishedContent {
  organization: string;
  contactEmail: string;
  jurisdictions: string[];
  profileJurisdiction: string | null;
  /** The languages, the first the default. */
  languages: string[];
  texts: Record<string, PublicNoticeText>;
}

/**
 * The languages a notice is drafted in: English first, then the incident's own, its translations' and the
 * jurisdictions' languages, each as the templates have it.
 */
export function defaultLanguages(
  renderer: PublicNoticeRenderer,
  incident: Pick<IncidentRow, 'language' | 'translations'>,
  jurisdictions: readonly string[],
): string[] {
  const wanted = [
    'en',
    incident.language,
    ...Object.keys(incident.translations ?? {}),
    ...jurisdictions.flatMap((j) => jurisdictionLanguages(j).slice(0, 1)),
  ];
  return [...new Set(wanted.map((tag) => renderer.resolve(tag)))];
}

/** The jurisdiction whose notice profile shapes it: the first with a statutory title (California). */
export function defaultProfile(jurisdictions: readonly string[], on: Date): string | null {
  return jurisdictions.find((j) => noticeShape(j, on, 'public').title !== null) ?? null;
}

/** The incident as a notice reads it, the public notice's own words over its translations. */
export function noticeIncident(incident: IncidentRow, words: NoticeTranslations): NoticeIncident {
  const translations: NoticeTranslations = { ...incident.translations };
  for (const [tag, own] of Object.entries(words)) translations[tag] = { ...translations[tag], ...own };
  return { ...incident, translations };
}

/** The minimum period a withdrawal must wait for: the longest of the notice's jurisdictions' rules. */
export interface MinimumPeriod {
  ruleId: string;
  days: number;
  uncertain: boolean;
  until: Date;
  sources: readonly string[];
}

export function longestMinimum(
  jurisdictions: readonly string[],
  awareness: Date,
  firstPublishedAt: Date,
): MinimumPeriod | null {
  let longest: MinimumPeriod | null = null;
  for (const jurisdiction of jurisdictions) {
    for (const rule of rulesFor(jurisdiction, awareness, RULES)) {
      const substitute = substituteRuleFor(rule.id, awareness);
      if (!substitute?.minimumDays) continue;
      if (longest && longest.days >= substitute.minimumDays) continue;
      longest = {
        ruleId: rule.id,
        days: substitute.minimumDays,
        uncertain: substitute.minimumUncertain ?? false,
        until: new Date(firstPublishedAt.getTime() + substitute.minimumDays * 86_400_000),
        sources: substitute.sources,
      };
    }
  }
  return longest;
}

/** A slug from the incident's reference: lower case, letters, digits and dashes. */
export function slugOf(reference: string): string {
  return (
    reference
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'notice'
  );
}
