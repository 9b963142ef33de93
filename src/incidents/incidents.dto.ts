import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsObject,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { PageQueryDto } from '../common/pagination.js';
import {
  IsLanguageTag,
  IsZonedDateTime,
  NoControlCharacters,
  NoControlCharactersWithin,
  VisibleText,
} from '../common/validation.js';
import { ChronologyEntryDto } from './chronology.dto.js';
import { IncidentState } from './incident.lifecycle.js';
import {
  MASSACHUSETTS_SCHEMA,
  regulatorTextsProblem,
  regulatorTranslationsProblem,
  TEXT,
  TEXTS_SCHEMA,
  textsRule,
  translationsProblem,
} from './incident-texts.rules.js';
import {
  GUARDIAN_TEXT_FIELDS,
  guardianWordsProblem,
  MASSACHUSETTS_TEXT_FIELDS,
  massachusettsWordsProblem,
  NOTICE_TEXT_FIELDS,
  type GuardianWords,
  type MassachusettsWords,
  type NoticeTranslations,
} from '../common/notice-text.js';
import {
  REGULATOR_TEXT_FIELDS,
  REPORT_TEXT_FIELDS,
  type RegulatorText,
  type RegulatorTranslations,
} from './regulator-text.js';

export const NATURES = ['confidentiality', 'integrity', 'availability'] as const;
export type Nature = (typeof NATURES)[number];
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The facts of an incident. Only the title and the moment of awareness are needed to open one. */
export class CreateIncidentDto {
  @ApiProperty({ description: 'Short title', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @VisibleText()
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ description: 'What happened', maxLength: TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  description?: string;

  @ApiPropertyOptional({
    description: 'Which security properties were breached',
    enum: NATURES,
    isArray: true,
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(NATURES, { each: true })
  nature?: Nature[];

  @ApiPropertyOptional({
    description: "Cause (attack, error, lost device, ...); Japan's and China's notices say it",
    maxLength: 2000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @NoControlCharacters({ multiline: true })
  cause?: string;

  @ApiPropertyOptional({
    description: 'Whether it was a cyber attack (an unlawful act by a third party); decides some thresholds',
  })
  @IsOptional()
  @IsBoolean()
  cyberAttack?: boolean;

  @ApiPropertyOptional({
    description:
      'Whether it was, or may have been, done for an unlawful purpose: an attack, or an insider taking the data to misuse it (Japan reports such a breach whatever the number, APPI Enforcement Rules Art. 7(iii)); not known: taken as possibly so',
  })
  @IsOptional()
  @IsBoolean()
  unlawfulPurpose?: boolean;

  @ApiPropertyOptional({
    description: "How the company found out; Singapore's notices say it",
    maxLength: 2000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @NoControlCharacters({ multiline: true })
  howDiscovered?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-01T08:00:00Z',
    description: 'When the breach started (ISO 8601 with a zone)',
  })
  @IsOptional()
  @IsZonedDateTime()
  occurredFrom?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-03T17:30:00Z',
    description: 'When the breach ended (ISO 8601 with a zone), not before occurredFrom',
  })
  @IsOptional()
  @IsZonedDateTime()
  occurredTo?: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-04T09:15:00Z',
    description: 'When the company became aware (ISO 8601 with a zone): legal deadlines run from here',
  })
  @IsZonedDateTime()
  discoveredAt!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-04T12:00:00Z',
    description: 'When the breach was contained (ISO 8601 with a zone)',
  })
  @IsOptional()
  @IsZonedDateTime()
  containedAt?: string;

  @ApiPropertyOptional({ description: 'Systems involved', type: [String], maxItems: 100 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsString({ each: true })
  @VisibleText({ each: true })
  @MaxLength(100, { each: true })
  systems?: string[];

  @ApiPropertyOptional({
    description:
      'Data categories involved: the privacy policy\'s groups (personal_identifiers...), their finer categories (email_address, phone_number, password_hash...), and EXTRA_DATA_CATEGORIES. Name the finest that is true: a notice says "your email address" only when it is told so',
    type: [String],
    maxItems: 50,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  dataCategories?: string[];

  @ApiPropertyOptional({ description: 'Whether the data was encrypted' })
  @IsOptional()
  @IsBoolean()
  encrypted?: boolean;

  @ApiPropertyOptional({
    description: 'How it was encrypted, and whether the key was exposed',
    maxLength: 2000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @NoControlCharacters({ multiline: true })
  encryptionDetails?: string;

  @ApiPropertyOptional({ description: 'Approximate number of records involved', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  approximateRecords?: number;

  @ApiPropertyOptional({ description: 'Likely consequences for the people concerned', maxLength: TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  likelyConsequences?: string;

  @ApiPropertyOptional({ description: 'Measures taken', maxLength: TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  measuresTaken?: string;

  @ApiPropertyOptional({ description: 'Measures planned', maxLength: TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  measuresPlanned?: string;

  @ApiPropertyOptional({
    description:
      "Security measures in place before the breach (technical, organisational, staff training); Brazil's notices say them (LGPD Art. 48 §1 III)",
    maxLength: TEXT,
  })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  securityMeasuresBefore?: string;

  @ApiPropertyOptional({
    description:
      "Why the notice to people goes out late, in words for them; Brazil's notices say it when given, and a campaign to Brazilian residents drafted or approved after the individuals' due date is refused (409) without it (LGPD Art. 48 §1 V)",
    maxLength: TEXT,
  })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  noticeDelayReasons?: string;

  @ApiPropertyOptional({
    description: 'Other organisations told (police, other regulators, processors, insurers)',
    maxLength: TEXT,
  })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  otherOrganisationsTold?: string;

  @ApiPropertyOptional({
    description:
      "Where it took place (systems, services or places), in words an affected person understands; notices say it (India's Rule 7 asks for it)",
    maxLength: 2000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @NoControlCharacters({ multiline: true })
  location?: string;

  @ApiPropertyOptional({
    description:
      'Whether notifying people was delayed at the request of a law enforcement investigation; California notices say whether it was. Unset: not known',
    type: Boolean,
  })
  @IsOptional()
  @IsBoolean()
  lawEnforcementDelay?: boolean;

  @ApiPropertyOptional({
    description:
      "Whether law enforcement is investigating the breach (Texas's report asks). Unset: not known",
    type: Boolean,
  })
  @IsOptional()
  @IsBoolean()
  lawEnforcementInvestigating?: boolean;

  @ApiPropertyOptional({
    description:
      "The language the incident's own words are written in (BCP 47): a report in another language uses their translations and lists what has none",
    default: 'en',
  })
  @IsOptional()
  @IsString()
  @IsLanguageTag()
  language?: string;

  @ApiPropertyOptional({
    description:
      "The incident's own story for regulators: dated steps of its handling (detection, containment, assessment, notices...), each with its words and their translations. Reports' chronology is this, never the system's timeline. A PATCH replaces the whole list",
    type: [ChronologyEntryDto],
    maxItems: 200,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsObject({ each: true, message: 'each entry of chronology must be an object (at, kind, text)' })
  @ValidateNested({ each: true })
  @Type(() => ChronologyEntryDto)
  @NoControlCharactersWithin()
  chronology?: ChronologyEntryDto[];

  @ApiPropertyOptional({
    description: `Words for regulators where they differ from those written for the people notified: any of ${REGULATOR_TEXT_FIELDS.join(', ')}. Reports use them instead of the notice's words; notices never. A PATCH replaces the whole object; null empties it`,
    ...TEXTS_SCHEMA(REGULATOR_TEXT_FIELDS),
  })
  @IsOptional()
  @textsRule('isRegulatorText', 'regulatorText', (value) =>
    regulatorTextsProblem(value, REGULATOR_TEXT_FIELDS),
  )
  @NoControlCharactersWithin()
  regulatorText?: RegulatorText;

  @ApiPropertyOptional({
    description: `The words reports say, in regulators' languages, per BCP 47 tag: any of ${REPORT_TEXT_FIELDS.join(', ')}. A report takes them from its language's tags first, then the notice's translations (for the words people read too), then the incident's own words (listed as untranslated). A PATCH replaces the whole object; null empties it`,
    type: 'object',
    additionalProperties: TEXTS_SCHEMA(REPORT_TEXT_FIELDS),
  })
  @IsOptional()
  @textsRule('isRegulatorTranslations', 'regulatorTranslations', regulatorTranslationsProblem)
  @NoControlCharactersWithin()
  regulatorTranslations?: RegulatorTranslations;

  @ApiPropertyOptional({ description: 'What affected people can do to protect themselves', maxLength: TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  adviceToIndividuals?: string;

  @ApiPropertyOptional({
    description: 'Remedies offered (credit monitoring, support line, ...)',
    maxLength: TEXT,
  })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  remedies?: string;

  @ApiPropertyOptional({
    description: `The guardian's version of the responders' words written to the person affected (${GUARDIAN_TEXT_FIELDS.join(', ')}): a guardian's notice speaks to the guardian about the child ("your child's photos") and says these in place of the words as written, never those. A campaign that notifies guardians is refused (409) while a field given for the person has no guardian version here (or in a translation that gives it). A PATCH replaces the whole object; null empties it`,
    ...TEXTS_SCHEMA(GUARDIAN_TEXT_FIELDS),
    example: { description: "A storage bucket with your child's photos was readable by anyone." },
  })
  @IsOptional()
  @textsRule('isGuardianWords', 'guardianWords', guardianWordsProblem)
  @NoControlCharactersWithin()
  guardianWords?: GuardianWords;

  @ApiPropertyOptional({
    description: `The Massachusetts version of the responders' words (${MASSACHUSETTS_TEXT_FIELDS.join(', ')}), with its guardian's version under \`guardian\`: M.G.L. c. 93H s. 3(b) forbids a notice to describe the nature of the breach, so a Massachusetts notice says only these (never the words as written, the description or where it happened), and leaves out a field without one. A PATCH replaces the whole object; null empties it`,
    ...MASSACHUSETTS_SCHEMA,
    example: { measuresTaken: 'We have secured the affected system.', guardian: {} },
  })
  @IsOptional()
  @textsRule('isMassachusettsWords', 'massachusettsWords', massachusettsWordsProblem)
  @NoControlCharactersWithin()
  massachusettsWords?: MassachusettsWords;

  @ApiPropertyOptional({
    description: `The notice's words in other languages, per BCP 47 tag (de, pt-BR, fr-CA...): any of ${NOTICE_TEXT_FIELDS.join(', ')}, and guardianWords and massachusettsWords as above. A notice in a language takes them from its tag, then its language, then another tag of its language (a fr-CA text serves French notices); what is not given is said as written above. A PATCH replaces the whole object; null empties it`,
    type: 'object',
    additionalProperties: {
      ...TEXTS_SCHEMA(NOTICE_TEXT_FIELDS),
      properties: {
        ...TEXTS_SCHEMA(NOTICE_TEXT_FIELDS).properties,
        guardianWords: TEXTS_SCHEMA(GUARDIAN_TEXT_FIELDS),
        massachusettsWords: MASSACHUSETTS_SCHEMA,
      },
    },
    example: { de: { description: 'Ein Speicher mit Bildern war öffentlich lesbar.' } },
  })
  @IsOptional()
  @textsRule('isNoticeTranslations', 'translations', translationsProblem)
  @NoControlCharactersWithin()
  translations?: NoticeTranslations;

  @ApiPropertyOptional({ description: "Risk to people's rights and freedoms", enum: RISK_LEVELS })
  @IsOptional()
  @IsIn(RISK_LEVELS)
  riskLevel?: RiskLevel;

  @ApiPropertyOptional({ description: 'Why that risk level', maxLength: TEXT })
  @IsOptional()
  @IsString()
  @MaxLength(TEXT)
  @NoControlCharacters({ multiline: true })
  riskReasoning?: string;
}

/** Any subset of the facts; `null` clears an optional fact. Needs `If-Match` with the current ETag. */
export class UpdateIncidentDto extends PartialType(CreateIncidentDto) {}

export class TransitionDto {
  @ApiProperty({ enum: IncidentState, description: 'The state to move to' })
  @IsEnum(IncidentState)
  to!: IncidentState;

  @ApiPropertyOptional({ description: 'Why (required to dismiss)', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @VisibleText({ multiline: true })
  @MaxLength(2000)
  note?: string;
}

export class IncidentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: IncidentState, description: 'Only incidents in this state' })
  @IsOptional()
  @IsEnum(IncidentState)
  state?: IncidentState;

  @ApiPropertyOptional({ enum: RISK_LEVELS, description: 'Only incidents with this risk level' })
  @IsOptional()
  @IsIn(RISK_LEVELS)
  riskLevel?: RiskLevel;

  @ApiPropertyOptional({ description: 'Text in the title or reference' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Aware at or after (ISO 8601 with a zone)' })
  @IsOptional()
  @IsZonedDateTime()
  discoveredFrom?: string;

  @ApiPropertyOptional({ description: 'Aware at or before (ISO 8601 with a zone)' })
  @IsOptional()
  @IsZonedDateTime()
  discoveredTo?: string;
}
