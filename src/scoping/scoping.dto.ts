import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../common/pagination.js';
import { NotEmailAddress, OptionalNotNull, IsZonedDateTime } from '../common/validation.js';
import { IsJurisdiction, JURISDICTION_SHAPE } from '../jurisdictions/jurisdiction.validator.js';
import { ReachOutcome, UnreachedReason } from '../jurisdictions/reach.repository.js';
import { CHANNELS, EXTERNAL_ID, EXTERNAL_ID_RULE, isEmailAddress } from '../subjects/subject.validation.js';

/** Ids in a request body; longer lists are uploaded (POST /v1/incidents/{id}/id-lists). */
export const BODY_IDS_MAX = 50_000;

/** A list of names (data categories, systems): at most `max`, each a string of at most 64 characters. */
const Names = (max: number) =>
  applyDecorators(
    OptionalNotNull(),
    IsArray(),
    ArrayMaxSize(max),
    IsString({ each: true }),
    MaxLength(64, { each: true }),
  );

/** A list of people by external id, in a body: at most BODY_IDS_MAX, each an id (an email address is refused). */
const ExternalIds = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], maxItems: BODY_IDS_MAX, description }),
    OptionalNotNull(),
    IsArray(),
    ArrayMaxSize(BODY_IDS_MAX),
    Matches(EXTERNAL_ID, { each: true, message: `each ${EXTERNAL_ID_RULE}` }),
    NotEmailAddress(isEmailAddress, { each: true }),
  );

export class ExclusionsDto {
  @ExternalIds('People left out, by external id (an email address is refused)')
  externalIds?: string[];

  @ApiPropertyOptional({ description: 'An uploaded id list whose people are left out' })
  @OptionalNotNull()
  @IsUUID()
  idListId?: string;

  @ApiPropertyOptional({ type: [String], example: ['US-CA'] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(300)
  @Matches(JURISDICTION_SHAPE, { each: true, message: 'each jurisdiction must look like BR or US-CA' })
  jurisdictions?: string[];

  @ApiPropertyOptional({ type: [String] })
  @Names(100)
  systems?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'People with any of these categories are left out: a group leaves out its finer categories too, a finer one never the people recorded only with its group',
  })
  @Names(50)
  dataCategories?: string[];
}

/**
 * Who is affected. Every criterion given must hold (AND); inside a list, any value matches (OR), except
 * data categories with `dataCategoriesMatch: all`. A country matches its subdivisions (US matches US-CA).
 */
export class ScopeCriteriaDto {
  @ApiPropertyOptional({ description: 'Scope the whole directory (needed when no other criterion is given)' })
  @OptionalNotNull()
  @IsBoolean()
  everyone?: boolean;

  @ApiPropertyOptional({
    type: [String],
    example: ['camera_data'],
    description:
      'People recorded with any of these data categories (with `all`, each of them): a group (personal_identifiers) takes in people recorded with its finer categories, and a finer one (email_address) people recorded only with its group, who may hold it',
  })
  @Names(50)
  dataCategories?: string[];

  @ApiPropertyOptional({ enum: ['any', 'all'], default: 'any' })
  @OptionalNotNull()
  @IsIn(['any', 'all'])
  dataCategoriesMatch?: 'any' | 'all';

  @ApiPropertyOptional({ type: [String], example: ['media-store'] })
  @Names(100)
  systems?: string[];

  @ApiPropertyOptional({ type: [String], example: ['DE', 'US-CA'] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(300)
  @Matches(JURISDICTION_SHAPE, { each: true, message: 'each jurisdiction must look like BR or US-CA' })
  jurisdictions?: string[];

  @ApiPropertyOptional({ description: 'Active at or after (lastActiveAt; ISO 8601 with a zone)' })
  @OptionalNotNull()
  @IsZonedDateTime()
  activeFrom?: string;

  @ApiPropertyOptional({ description: 'Active at or before (lastActiveAt; ISO 8601 with a zone)' })
  @OptionalNotNull()
  @IsZonedDateTime()
  activeTo?: string;

  @ApiPropertyOptional({ description: 'Signed up at or after (ISO 8601 with a zone)' })
  @OptionalNotNull()
  @IsZonedDateTime()
  signedUpAfter?: string;

  @ApiPropertyOptional({ description: 'Signed up before (ISO 8601 with a zone)' })
  @OptionalNotNull()
  @IsZonedDateTime()
  signedUpBefore?: string;

  @ExternalIds('Only these people, by external id (an email address is refused)')
  externalIds?: string[];

  @ApiPropertyOptional({ description: 'Only the people of an uploaded id list (from forensics)' })
  @OptionalNotNull()
  @IsUUID()
  idListId?: string;

  @ApiPropertyOptional({ type: ExclusionsDto, description: 'People left out: an object, never a list' })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => ExclusionsDto)
  exclude?: ExclusionsDto;
}

export class ScopeRequestDto {
  @ApiProperty({ type: ScopeCriteriaDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ScopeCriteriaDto)
  criteria!: ScopeCriteriaDto;
}

export class ChannelCountsDto {
  @ApiProperty() email!: number;
  @ApiProperty() sms!: number;
  @ApiProperty() push!: number;
  @ApiProperty({ description: 'No channel: only a public notice can reach them' }) none!: number;
}

export class MinorCountsDto {
  @ApiProperty() total!: number;
  @ApiProperty() withGuardianContact!: number;
  @ApiProperty() withoutGuardianContact!: number;
}

export class ScopeCountsDto {
  @ApiProperty() total!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: '`unknown` for people without a jurisdiction',
  })
  byJurisdiction!: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'People per exposed data category',
  })
  byDataCategory!: Record<string, number>;
  @ApiProperty({
    type: ChannelCountsDto,
    description: 'People reachable per channel (one person counts once per channel they have)',
  })
  byChannel!: ChannelCountsDto;
  @ApiProperty({ type: MinorCountsDto }) minors!: MinorCountsDto;
}

export class UnmatchedIdsDto {
  @ApiProperty({ description: 'Ids given (in the body or the list) that are nobody in the directory' })
  count!: number;
  @ApiProperty({ type: [String], description: 'The first 100 of them' }) sample!: string[];
}

export class ScopePreviewDto extends ScopeCountsDto {
  @ApiProperty({ type: UnmatchedIdsDto }) unmatchedIds!: UnmatchedIdsDto;
}

export class ScopeRunDto {
  @ApiProperty() id!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] }) status!: string;
  @ApiProperty({
    enum: ['initial', 'replacement', 'supplementary'],
    nullable: true,
    type: String,
    description: 'Replacement before any notice went out; supplementary (adds only) after',
  })
  kind!: string | null;
  @ApiProperty({ type: ScopeCriteriaDto }) criteria!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: Number, description: 'Size of the affected set after this run' })
  total!: number | null;
  @ApiProperty({ nullable: true, type: Number }) added!: number | null;
  @ApiProperty({ nullable: true, type: Number }) removed!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Supplementary runs: people kept in the set whom the new criteria no longer match',
  })
  keptOutsideCriteria!: number | null;
  @ApiProperty({
    nullable: true,
    type: ScopeCountsDto,
    description: 'Counts over the frozen set, as the preview gives them',
  })
  counts!: ScopeCountsDto | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export class IdListDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Distinct valid ids stored' }) count!: number;
  @ApiProperty({ description: 'Lines that are not an id' }) invalidLines!: number;
  @ApiProperty({ type: [Number], description: 'The first 100 invalid line numbers' })
  invalidLineNumbers!: number[];
}

/** Filters of the affected list and its export. */
export class AffectedFilterDto {
  @ApiPropertyOptional({ example: 'BR', description: 'A country matches its subdivisions' })
  @IsOptional()
  @IsJurisdiction()
  jurisdiction?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  minor?: 'true' | 'false';

  @ApiPropertyOptional({ enum: [...CHANNELS, 'none'] })
  @IsOptional()
  @IsIn([...CHANNELS, 'none'])
  channel?: string;

  @ApiPropertyOptional({
    description:
      'An exposed data category: a group (personal_identifiers) finds its finer categories too, and a finer one (email_address) the people exposed with its whole group',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  category?: string;

  @ApiPropertyOptional({ description: 'People added by this scope run' })
  @IsOptional()
  @IsUUID()
  scopeRunId?: string;
}

export class AffectedQueryDto extends IntersectionType(AffectedFilterDto, PageQueryDto) {
  @ApiPropertyOptional({
    enum: Object.values(ReachOutcome),
    description:
      'notified: told on a channel their law accepts as the notice; pending: not yet (no campaign, or one still sending); unreached: their last campaign could not reach them lawfully, or nothing can (see reason)',
  })
  @IsOptional()
  @IsIn(Object.values(ReachOutcome))
  outcome?: ReachOutcome;
}

/** One send to a person (or their guardian), as the provider answered it. */
export class DeliveryAttemptDto {
  @ApiProperty() campaignId!: string;
  @ApiProperty({ enum: ['person', 'guardian'] }) recipient!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty({ enum: ['queued', 'sent', 'delivered', 'failed', 'cancelled'] }) status!: string;
  @ApiProperty({ description: 'Times it was handed to the provider' }) attempts!: number;
  @ApiProperty({
    description: "Whether the channel counts as the notice under the person's law (push never)",
  })
  lawful!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "The provider's answer when it failed (a code such as twilio_21610), never an address",
  })
  error!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt!: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class AffectedDto {
  @ApiProperty({ nullable: true, type: String, description: 'Null once the person was erased' })
  externalId!: string | null;
  @ApiProperty({ nullable: true, type: String }) jurisdiction!: string | null;
  @ApiProperty() minor!: boolean;
  @ApiProperty() guardianContact!: boolean;
  @ApiProperty({ type: [String] }) exposedCategories!: string[];
  @ApiProperty({ type: [String], enum: CHANNELS }) channels!: string[];
  @ApiProperty() scopeRunId!: string;
  @ApiProperty() addedAt!: string;
  @ApiProperty({ nullable: true, type: String }) notifiedAt!: string | null;
  @ApiProperty({ enum: Object.values(ReachOutcome) }) outcome!: string;
  @ApiProperty({
    nullable: true,
    enum: Object.values(UnreachedReason),
    description:
      "Why unreached: a minor whose guardian has no contact, no contact (on the campaign's channels), a push token only, told only on a channel their law does not accept, every channel failed. Null otherwise",
  })
  reason!: string | null;
  @ApiProperty({ type: [DeliveryAttemptDto], description: 'Every send of every campaign, oldest first' })
  history!: DeliveryAttemptDto[];
}

export class AffectedPageDto {
  @ApiProperty({ type: [AffectedDto] }) items!: AffectedDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
