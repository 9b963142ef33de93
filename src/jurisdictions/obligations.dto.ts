import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ObligationState } from './obligations.service.js';
import { HasText, IsZonedDateTime, NoControlCharacters } from '../common/validation.js';

export class WaiveObligationDto {
  @ApiProperty({
    description: 'Why the obligation does not have to be met (kept on the record)',
    example: 'Counsel: not reportable, the exposed copies were encrypted and the key was not',
    maxLength: 2000,
  })
  @IsString()
  @IsNotEmpty()
  @HasText()
  @NoControlCharacters({ multiline: true })
  @MaxLength(2000)
  reason!: string;
}

export class MeetObligationDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-05T10:00:00Z',
    description: 'When it was met (ISO 8601 with a zone), not in the future',
  })
  @IsZonedDateTime()
  at!: string;

  @ApiProperty({
    description: 'How it was met, in words',
    example: 'AG notified by its web form, confirmation 1234',
    maxLength: 2000,
  })
  @IsString()
  @IsNotEmpty()
  @HasText()
  @NoControlCharacters({ multiline: true })
  @MaxLength(2000)
  note!: string;
}

export class ObligationDto {
  @ApiProperty({ description: 'Id' }) id!: string;
  @ApiProperty({ description: 'Stable key: rule / regulator or jurisdiction / obligation' }) key!: string;
  @ApiProperty({ enum: Object.values(ObligationState), description: 'State now' }) state!: string;
  @ApiProperty({ description: 'Open past its due date, or met after it' }) late!: boolean;
  @ApiProperty({ description: 'regulator, individuals, consumer-reporting-agencies, media, public or other' })
  audience!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Regulator id (for reports)' })
  regulatorId!: string | null;
  @ApiProperty({ description: 'Who is told' }) recipient!: string;
  @ApiProperty({ nullable: true, type: String, description: 'initial, follow-up or final' }) phase!:
    string | null;
  @ApiProperty({ description: 'What must be done' }) what!: string;
  @ApiProperty({ description: 'The deadline in words: "72 hours from awareness"' }) deadline!: string;
  @ApiProperty({ nullable: true, type: String, description: 'When the clock started; null: not yet' })
  clockStartedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Due; null: no fixed deadline or clock not started',
  })
  dueAt!: string | null;
  @ApiProperty({ description: 'Whether it applies' }) applicable!: boolean;
  @ApiProperty({ description: 'Why it applies or not: the threshold or exemption and the facts used' })
  reason!: string;
  @ApiProperty({ type: [String], description: 'Jurisdictions it covers' }) jurisdictions!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'Rule id' }) ruleId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Rule version (the day it holds from)' })
  ruleVersion!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The law' }) law!: string | null;
  @ApiProperty({ type: [String], description: 'Source keys of the rule (see the rules table)' })
  sources!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Facts used: residents, minors, categories, risk, encryption, cyber attack',
  })
  facts!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, description: 'When it was met' }) metAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'By what: {kind: report | campaign | manual, id?, note?}',
  })
  metBy!: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'To individuals, in the list: residents it covers not notified yet. A campaign meets it only when none is left; until then a substitute or public notice (met by hand) or a reason (waived) closes it. Null otherwise',
  })
  unreached!: number | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'integer' },
    description:
      'To individuals and public notices, in the list: the residents it covers not reached one by one, by why (noContact, allFailed: unreachable on every channel of their plan, pushOnly: reachable only by a push alert, methodNotLawful: only by a channel their law does not accept as the notice), once a campaign completed. Null otherwise',
  })
  notIndividuallyNotified!: Record<string, number> | null;
  @ApiProperty({ nullable: true, type: String, description: 'When it was waived' }) waivedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it was waived' }) waivedReason!:
    string | null;
  @ApiProperty({ description: 'When it was last computed' }) computedAt!: string;
}

export class ObligationListDto {
  @ApiProperty({ type: [ObligationDto], description: 'By due date' }) items!: ObligationDto[];
}
