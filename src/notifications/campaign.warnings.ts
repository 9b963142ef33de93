import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { noticeShape } from '../jurisdictions/rules/notice-profiles.js';
import { ALONGSIDE, untranslatedWords } from '../templates/locales.js';
import { fieldsSaid } from '../templates/notice.body.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { guardianTemplate } from './campaign.rules.js';
import type { CampaignRow } from './campaigns.repository.js';
import { CampaignsRepository } from './campaigns.repository.js';

/**
 * Something a campaign would do that its responders should know before it goes out, and may accept:
 * a warning, never a refusal (what must not go out is refused at draft and approval instead). Codes and
 * locales and the API's field names only: no person's data.
 */
export interface CampaignWarning {
  /** `mixedLanguages`: notices in these locales would say some of the responders' words untranslated. */
  code: 'mixedLanguages';
  /** The notices' locales concerned (a notice in two languages counts in each), sorted. */
  locales: string[];
  /** The responders' words concerned, by field in the API's terms (`remedies`, `guardianWords.remedies`). */
  fields: string[];
  message: string;
}

/**
 * A campaign's warnings, from the people it would reach now (not notified yet), each as the planner will
 * see them: the notice's locale as it resolves for their language and jurisdiction, the words their
 * jurisdiction's notice says, and for guardians the guardian's version.
 */
@Injectable()
export class CampaignWarnings {
  constructor(
    private readonly repository: CampaignsRepository,
    private readonly renderer: NoticeRenderer,
    private readonly clock: Clock,
  ) {}

  async of(
    campaign: Pick<CampaignRow, 'template' | 'includeGuardians'>,
    incident: IncidentRow,
  ): Promise<CampaignWarning[]> {
    const readers = await this.repository.readers(incident.id, campaign.includeGuardians);
    const now = this.clock.now();
    const untranslated = new Map<string, Set<string>>();
    for (const reader of readers) {
      const audience = reader.guardian ? 'guardian' : 'person';
      const template = reader.guardian ? guardianTemplate(campaign.template) : campaign.template;
      if (!this.renderer.has(template)) continue;
      const shape = noticeShape(reader.jurisdiction, now);
      const said = fieldsSaid(shape);
      const locale = this.renderer.resolveLocale(template, reader.locale, reader.jurisdiction);
      for (const part of locale.split(ALONGSIDE)) {
        const fields = untranslatedWords(
          incident,
          incident.language,
          part,
          audience,
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
}
