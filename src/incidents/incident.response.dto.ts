import { ApiProperty } from '@nestjs/swagger';
import { ChronologyEntryDto } from './chronology.dto.js';
import { IncidentState } from './incident.lifecycle.js';
import { NATURES, RISK_LEVELS } from './incidents.dto.js';
import { MASSACHUSETTS_SCHEMA, TEXTS_SCHEMA } from './incident-texts.rules.js';
import {
  GUARDIAN_TEXT_FIELDS,
  type GuardianWords,
  type MassachusettsWords,
  type NoticeTranslations,
} from '../common/notice-text.js';
import type { RegulatorText, RegulatorTranslations } from './regulator-text.js';

// What the API answers about incidents (the requests' DTOs are in incidents.dto.ts).

export class IncidentDto {
  @ApiProperty({ description: 'Id' }) id!: string;
  @ApiProperty({ description: 'Human reference, e.g. INC-2026-0001' }) reference!: string;
  @ApiProperty({ description: 'Short title' }) title!: string;
  @ApiProperty({ description: 'What happened', nullable: true, type: String }) description!: string | null;
  @ApiProperty({ enum: NATURES, isArray: true, description: 'Security properties breached' })
  nature!: string[];
  @ApiProperty({ description: 'Cause', nullable: true, type: String }) cause!: string | null;
  @ApiProperty({ description: 'A cyber attack', nullable: true, type: Boolean }) cyberAttack!: boolean | null;
  @ApiProperty({
    description: 'Done, or possibly done, for an unlawful purpose',
    nullable: true,
    type: Boolean,
  })
  unlawfulPurpose!: boolean | null;
  @ApiProperty({ description: 'How the company found out', nullable: true, type: String }) howDiscovered!:
    string | null;
  @ApiProperty({ description: 'Breach start', nullable: true, type: String }) occurredFrom!: string | null;
  @ApiProperty({ description: 'Breach end', nullable: true, type: String }) occurredTo!: string | null;
  @ApiProperty({ description: 'Awareness: legal deadlines run from here' }) discoveredAt!: string;
  @ApiProperty({ description: 'Containment', nullable: true, type: String }) containedAt!: string | null;
  @ApiProperty({ type: [String], description: 'Systems involved' }) systems!: string[];
  @ApiProperty({ type: [String], description: 'Data categories involved' }) dataCategories!: string[];
  @ApiProperty({ description: 'Whether the data was encrypted', nullable: true, type: Boolean }) encrypted!:
    boolean | null;
  @ApiProperty({ description: 'How it was encrypted', nullable: true, type: String }) encryptionDetails!:
    string | null;
  @ApiProperty({ description: 'Approximate records', nullable: true, type: Number }) approximateRecords!:
    number | null;
  @ApiProperty({ description: 'Likely consequences', nullable: true, type: String }) likelyConsequences!:
    string | null;
  @ApiProperty({ description: 'Measures taken', nullable: true, type: String }) measuresTaken!: string | null;
  @ApiProperty({ description: 'Measures planned', nullable: true, type: String }) measuresPlanned!:
    string | null;
  @ApiProperty({ description: 'Security before the breach', nullable: true, type: String })
  securityMeasuresBefore!: string | null;
  @ApiProperty({ description: 'Why the notice goes out late', nullable: true, type: String })
  noticeDelayReasons!: string | null;
  @ApiProperty({ description: 'Other organisations told', nullable: true, type: String })
  otherOrganisationsTold!: string | null;
  @ApiProperty({ description: 'Where it took place', nullable: true, type: String }) location!: string | null;
  @ApiProperty({ description: 'Notice delayed for law enforcement', nullable: true, type: Boolean })
  lawEnforcementDelay!: boolean | null;
  @ApiProperty({ description: 'Law enforcement investigating', nullable: true, type: Boolean })
  lawEnforcementInvestigating!: boolean | null;
  @ApiProperty({ description: "The language of the incident's own words" }) language!: string;
  @ApiProperty({ type: [ChronologyEntryDto], description: "The incident's own story for regulators" })
  chronology!: ChronologyEntryDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Words for regulators, per field',
  })
  regulatorText!: RegulatorText;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    description: 'Words for regulators in other languages, per BCP 47 tag',
  })
  regulatorTranslations!: RegulatorTranslations;
  @ApiProperty({ description: 'Advice to affected people', nullable: true, type: String })
  adviceToIndividuals!: string | null;
  @ApiProperty({ description: 'Remedies offered', nullable: true, type: String }) remedies!: string | null;
  @ApiProperty({
    ...TEXTS_SCHEMA(GUARDIAN_TEXT_FIELDS),
    description: "The guardian's version of the responders' words",
  })
  guardianWords!: GuardianWords;
  @ApiProperty({ ...MASSACHUSETTS_SCHEMA, description: "The Massachusetts version of the responders' words" })
  massachusettsWords!: MassachusettsWords;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: true },
    description: "The notice's words in other languages, per BCP 47 tag",
  })
  translations!: NoticeTranslations;
  @ApiProperty({ enum: RISK_LEVELS, nullable: true, description: 'Risk level' }) riskLevel!: string | null;
  @ApiProperty({ description: 'Why that risk level', nullable: true, type: String }) riskReasoning!:
    string | null;
  @ApiProperty({ enum: IncidentState, description: 'Lifecycle state' }) state!: string;
  @ApiProperty({ enum: IncidentState, isArray: true, description: 'States it may move to now' })
  allowedTransitions!: string[];
  @ApiProperty({ description: 'Version: send it back as If-Match to update' }) version!: number;
  @ApiProperty({ description: 'Created' }) createdAt!: string;
  @ApiProperty({ description: 'Last changed' }) updatedAt!: string;
}

export class IncidentPageDto {
  @ApiProperty({ type: [IncidentDto], description: 'Newest first' }) items!: IncidentDto[];
  @ApiProperty({
    description: 'Pass as `cursor` for the next page; null on the last',
    nullable: true,
    type: String,
  })
  nextCursor!: string | null;
}

export class TimelineEventDto {
  @ApiProperty({ description: 'Order on the timeline' }) id!: number;
  @ApiProperty({ description: 'When' }) at!: string;
  @ApiProperty({ description: 'created, updated, transition, ...' }) kind!: string;
  @ApiProperty({ nullable: true, type: String, description: 'State before (transitions)' }) fromState!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'State after (transitions)' }) toState!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The note given' }) note!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'API key that acted' }) actorKeyId!:
    string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed (field names)' })
  details!: Record<string, unknown>;
}

export class TimelinePageDto {
  @ApiProperty({ type: [TimelineEventDto], description: 'Oldest first' }) items!: TimelineEventDto[];
  @ApiProperty({
    description: 'Pass as `cursor` for the next page; null on the last',
    nullable: true,
    type: String,
  })
  nextCursor!: string | null;
}
