import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { CHANNELS, type Channel } from '../channels/channel.port.js';
import { LANGUAGE_TAG } from '../common/text.js';
import { IsJurisdiction } from '../jurisdictions/jurisdiction.validator.js';
import { CampaignStatus } from './campaign.rules.js';

export class CreateCampaignDto {
  @ApiProperty({
    example: 'breach-notice',
    description: 'A template of templates/ (its guardian version is used for guardians)',
  })
  @IsString()
  @MaxLength(100)
  template!: string;

  @ApiProperty({ type: [String], enum: CHANNELS, example: ['email', 'sms', 'push'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true, message: `each channel must be one of ${CHANNELS.join(', ')}` })
  channels!: Channel[];

  @ApiProperty({
    enum: ['escalate', 'all'],
    description:
      '`escalate`: the first notice channel of each person (by their preferences), the next only on permanent failure; `all`: every notice channel at once. Push, when chosen, is an alert pointing to the notice: it goes alongside, and alone it does not count as notifying anyone.',
  })
  @IsIn(['escalate', 'all'])
  mode!: 'escalate' | 'all';

  @ApiPropertyOptional({
    default: true,
    description:
      "Minors with a guardian's contact are notified through their guardian (the guardian version)",
  })
  @IsOptional()
  @IsBoolean()
  includeGuardians?: boolean;
}

export class PreviewQueryDto {
  @ApiPropertyOptional({
    example: 'pt-BR',
    description:
      "The recipient locale; falls back along pt-BR -> pt, then to the jurisdiction's language, then en (Quebec: French, the reader's alongside)",
  })
  @IsOptional()
  @Matches(LANGUAGE_TAG, { message: 'locale must be a BCP 47 tag like pt-BR' })
  locale?: string;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'Only this channel' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ example: 'US-CA' })
  @IsOptional()
  @IsString()
  @IsJurisdiction()
  jurisdiction?: string;

  @ApiPropertyOptional({
    example: 'America/Sao_Paulo',
    description: 'IANA time zone of the dates (UTC when unset)',
  })
  @IsOptional()
  @Matches(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/, {
    message: 'timeZone must be an IANA zone like Europe/Berlin',
  })
  timeZone?: string;

  @ApiPropertyOptional({ enum: ['person', 'guardian'], default: 'person' })
  @IsOptional()
  @IsIn(['person', 'guardian'])
  recipient?: 'person' | 'guardian';
}

/** Something a campaign would do that its responders should know before it goes out: a warning, not a refusal. */
export class CampaignWarningDto {
  @ApiProperty({
    enum: ['mixedLanguages', 'smsLeadOnly'],
    description:
      "`mixedLanguages`: notices in `locales` would say some of the responders' words untranslated, in the incident's language (a Japanese notice with an English description). `smsLeadOnly`: the notice in `locales` for residents of `jurisdictions` does not fit one SMS (1,600 characters): their SMS carries its lead and link alone and does not count as their notice (shorter words, or their translations, lift it)",
  })
  code!: 'mixedLanguages' | 'smsLeadOnly';
  @ApiProperty({
    type: [String],
    example: ['fr', 'ja'],
    description: "The notices' locales concerned (each language of a notice in two, such as fr+en)",
  })
  locales!: string[];
  @ApiProperty({
    type: [String],
    example: ['description', 'remedies', 'guardianWords.remedies'],
    description: "The responders' words concerned, by field, to give in the incident's `translations`",
  })
  fields!: string[];
  @ApiPropertyOptional({
    type: [String],
    example: ['CA-QC'],
    description: '`smsLeadOnly`: the jurisdictions whose notices in `locales` do not fit one SMS',
  })
  jurisdictions?: string[];
  @ApiProperty({ description: 'What it means and what to do, in words (no person in it)' })
  message!: string;
}

class PreviewEmailDto {
  @ApiProperty() subject!: string;
  @ApiProperty() html!: string;
  @ApiProperty() text!: string;
}

class PreviewSmsDto {
  @ApiProperty() body!: string;
  @ApiProperty({ enum: ['GSM-7', 'UCS-2'] }) encoding!: string;
  @ApiProperty({ description: 'Septets (GSM-7) or UTF-16 code units (UCS-2)' }) units!: number;
  @ApiProperty({ description: 'Segments the message takes (and is billed as)' }) segments!: number;
}

class PreviewPushDto {
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
}

export class CampaignPreviewDto {
  @ApiProperty() template!: string;
  @ApiProperty({
    description:
      'The locale the notice is in, after the fallback chain; two joined by + for a notice in two languages (fr+en)',
  })
  locale!: string;
  @ApiPropertyOptional({ type: PreviewEmailDto }) email?: PreviewEmailDto;
  @ApiPropertyOptional({ type: PreviewSmsDto }) sms?: PreviewSmsDto;
  @ApiPropertyOptional({ type: PreviewPushDto }) push?: PreviewPushDto;
  @ApiPropertyOptional({
    description:
      "A finished campaign's preview is what it sent (its sealed copies, the sample person's parts filled in): when that went out first. Absent: rendered from the incident now",
  })
  sentAt?: string;
  @ApiProperty({
    type: [CampaignWarningDto],
    description:
      'What the campaign would send to everyone it reaches that responders should know (not only this sample); empty for a finished campaign',
  })
  warnings!: CampaignWarningDto[];
}

class ProgressDto {
  @ApiProperty({
    description: 'Recipients by outcome: pending, notified, unreachable, cancelled',
    example: { pending: 10, notified: 980, unreachable: 10 },
  })
  deliveries!: Record<string, number>;
  @ApiProperty({
    description: 'Messages by channel and state: queued, sending, sent, delivered, failed, cancelled',
    example: { email: { sent: 900, failed: 5 }, push: { sent: 400 } },
  })
  messages!: Record<string, Record<string, number>>;
  @ApiProperty({ description: 'Messages sent in the last minute' }) sentLastMinute!: number;
  @ApiProperty({ description: 'Messages not sent yet' }) remaining!: number;
  @ApiProperty({ description: 'Recipients who said "I have read this" on their personal notice page' })
  acknowledged!: number;
  @ApiProperty({
    description:
      'Messages per second over the last minute (or since sending started, when less); 0 unless the campaign is sending',
  })
  ratePerSecond!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Seconds left at the current rate while the campaign sends; 0 once completed; null when nothing moves, or when it is not sending (draft, approved, paused, cancelled)',
  })
  etaSeconds!: number | null;
  @ApiProperty({ description: 'When these counts were taken' })
  asOf!: string;
}

/** Residents a campaign waits to tell until a report is filed. */
export class HeldBackDto {
  @ApiProperty({ example: 'SG' }) jurisdiction!: string;
  @ApiProperty({ description: 'Residents not notified yet' }) residents!: number;
  @ApiProperty({ example: 'Personal Data Protection Commission' }) regulator!: string;
  @ApiProperty({
    enum: ['initial', 'follow-up', 'final'],
    description: "The report's phase that releases them",
  })
  untilReport!: string;
  @ApiProperty() why!: string;
}

export class CampaignDto {
  @ApiProperty() id!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty() template!: string;
  @ApiProperty({ type: [String], enum: CHANNELS }) channels!: string[];
  @ApiProperty({ enum: ['escalate', 'all'] }) mode!: string;
  @ApiProperty() includeGuardians!: boolean;
  @ApiProperty({ enum: Object.values(CampaignStatus) }) status!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Recipients planned, once approved and planned' })
  recipients!: number | null;
  @ApiProperty({
    description:
      'Sends that may have reached a recipient twice: a worker lost mid-batch, or a call that got no answer and was made again',
  })
  possibleDuplicates!: number;
  @ApiProperty({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) approvedBy!: string | null;
  @ApiProperty({ nullable: true, type: String }) approvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional({ type: ProgressDto }) progress?: ProgressDto;
  @ApiPropertyOptional({
    type: [HeldBackDto],
    description:
      'Residents held back until a report the law wants first is recorded as submitted (Singapore: on or after the PDPC, PDPA s 26D(2)); planned into the campaign once it is. Absent: none',
  })
  heldBack?: HeldBackDto[];
  @ApiPropertyOptional({
    type: [CampaignWarningDto],
    description:
      'What it would do that responders should know before it goes out (notices mixing languages): on the draft (its POST, and GET while a draft) and the approval. A warning does not stop the approval, which records the warnings it went out with on the timeline and in the audit log',
  })
  warnings?: CampaignWarningDto[];
}

export class CampaignListDto {
  @ApiProperty({ type: [CampaignDto] }) items!: CampaignDto[];
}
