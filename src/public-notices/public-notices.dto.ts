import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import type { NoticeTranslations } from '../common/notice-text.js';
import { VisibleText } from '../common/validation.js';
import { IsKnownJurisdiction } from '../jurisdictions/jurisdiction.validator.js';
import { translationsProblem } from '../incidents/incident-texts.rules.js';
import { PublicNoticeStatus } from './public-notices.service.js';

const JURISDICTION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

const IsNoticeWords = () =>
  ValidateBy({
    name: 'isNoticeTranslations',
    validator: {
      validate: (value: unknown) => translationsProblem(value) === undefined,
      defaultMessage: (args) => `words: ${translationsProblem(args?.value) ?? 'invalid'}`,
    },
  });

export class DraftPublicNoticeDto {
  @ApiPropertyOptional({
    type: [String],
    example: ['GB'],
    description: "Jurisdiction codes it is for (BR, US-CA); default: those of the incident's affected set",
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(300)
  @Matches(JURISDICTION, { each: true, message: 'each jurisdiction must look like BR or US-CA' })
  @IsKnownJurisdiction('jurisdictions', { each: true })
  jurisdictions?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['en', 'de'],
    description:
      "Languages, the first the default (among the templates': en, de, fr, es, pt, pt-BR, ja, zh-Hans, ko, hi); default: English, the incident's and its translations' languages, the jurisdictions'",
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique({ message: 'languages must not repeat a language' })
  @IsString({ each: true })
  languages?: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'GB',
    description:
      'The jurisdiction whose notice profile shapes it (California: the title "Notice of Data Breach" and its headings); default: the first of its jurisdictions with a statutory title; null: the standard notice',
  })
  @IsOptional()
  @Matches(JURISDICTION, { message: 'profileJurisdiction must look like BR or US-CA' })
  @IsKnownJurisdiction('profileJurisdiction')
  profileJurisdiction?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "The public notice's own words per BCP 47 tag (the incident's text fields: description, measuresTaken, ...), over the incident's and its translations",
    example: { en: { adviceToIndividuals: 'Change your password and turn on two-step verification.' } },
  })
  @IsOptional()
  @IsNoticeWords()
  words?: NoticeTranslations;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 2000,
    example: 'The support line is now open at weekends.',
    description: "What changed, for the next version's line in the page's history of updates",
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  updateNote?: string | null;
}

export class WithdrawPublicNoticeDto {
  @ApiProperty({
    description: 'Why it is taken down (kept on the record)',
    example: 'Its minimum period has ended and every affected person has been told.',
    maxLength: 2000,
  })
  @IsString()
  @IsNotEmpty()
  @VisibleText({ multiline: true })
  @MaxLength(2000)
  reason!: string;
}

export class PublicNoticeVersionDto {
  @ApiProperty({ description: 'Version number, from 1' }) version!: number;
  @ApiProperty({ description: 'When it was published' }) publishedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'What changed (none for the first)' })
  note!: string | null;
}

export class PublicNoticeDto {
  @ApiProperty({ description: 'Id' }) id!: string;
  @ApiProperty({ description: 'Incident id' }) incidentId!: string;
  @ApiProperty({ description: 'The public address: /security-notices/{slug}' }) slug!: string;
  @ApiProperty({ description: 'Its public URL' }) url!: string;
  @ApiProperty({ enum: Object.values(PublicNoticeStatus), description: 'State of the draft' })
  status!: string;
  @ApiProperty({ type: [String], description: 'Jurisdictions' }) jurisdictions!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'Jurisdiction whose profile shapes it' })
  profileJurisdiction!: string | null;
  @ApiProperty({ type: [String], description: 'Languages, the first the default' }) languages!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Its own words per language' })
  words!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, description: "The next version's note" }) updateNote!:
    string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The obligation that raised it; null: drafted by hand',
  })
  raisedBy!: string | null;
  @ApiProperty({ description: 'Counts its changes: its ETag, sent back as If-Match to edit or approve it' })
  version!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The version the public reads; null: never published',
  })
  publishedVersion!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'First published' }) firstPublishedAt!:
    string | null;
  @ApiProperty({ description: 'When the draft as it stands was written' }) draftedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the draft was approved' }) approvedAt!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When it was withdrawn' }) withdrawnAt!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it was withdrawn' }) withdrawnReason!:
    string | null;
  @ApiProperty({
    type: [PublicNoticeVersionDto],
    description: 'Published versions, oldest first (on one notice)',
  })
  versions!: PublicNoticeVersionDto[];
}

export class PublicNoticeListDto {
  @ApiProperty({ type: [PublicNoticeDto], description: 'Newest first' }) items!: PublicNoticeDto[];
}

export class PublicNoticePreviewDto {
  @ApiProperty({ type: [String], description: 'Languages' }) languages!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Per language: title, intro and sections (heading, paragraphs, items) as they would be published now',
  })
  texts!: Record<string, unknown>;
}
