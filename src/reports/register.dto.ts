import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsZonedDateTime } from '../common/validation.js';
import { IsJurisdiction } from '../jurisdictions/jurisdiction.validator.js';

/** Which part of the breach register: a jurisdiction, a period of awareness, and a format. */
export class RegisterQueryDto {
  @ApiPropertyOptional({
    example: 'CA-QC',
    description:
      'Incidents whose affected people (or obligations) are in it; a country holds its subdivisions. Incidents never scoped are listed in every jurisdiction (whose they are is not known)',
  })
  @IsOptional()
  @IsJurisdiction()
  jurisdiction?: string;

  @ApiPropertyOptional({ description: 'Aware at or after (ISO 8601 with a zone); default: the beginning' })
  @IsOptional()
  @IsZonedDateTime()
  from?: string;

  @ApiPropertyOptional({ description: 'Aware before (ISO 8601 with a zone); default: now' })
  @IsOptional()
  @IsZonedDateTime()
  to?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

class RegisterDecisionDto {
  @ApiProperty({ description: 'The obligation, or incident/dismissed' }) key!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The law' }) law!: string | null;
  @ApiProperty({ description: 'Who was to be told' }) recipient!: string;
  @ApiProperty({ description: 'What the law asks' }) what!: string;
  @ApiProperty({
    enum: ['due', 'met', 'missed', 'waived', 'not_applicable', 'withdrawn', 'dismissed'],
    description: 'What was decided or done',
  })
  outcome!: string;
  @ApiProperty({
    type: [String],
    description: 'Why: the facts it applied on or not, a waiver or dismissal reason',
  })
  reasons!: string[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'When it was met, waived, withdrawn or dismissed',
  })
  decidedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The deadline' }) dueAt!: string | null;
  @ApiProperty({ description: 'Met or still open after its deadline' }) late!: boolean;
}

class RegisterJurisdictionDto {
  @ApiProperty({ description: 'Jurisdiction code' }) code!: string;
  @ApiProperty({ description: 'Affected residents' }) residents!: number;
  @ApiProperty({ description: 'Of whom notified individually' }) notified!: number;
}

class RegisterFactsDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'What happened (the words for regulators where given)',
  })
  description!: string | null;
  @ApiProperty({ type: [String], description: 'Security properties breached' }) nature!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'Cause' }) cause!: string | null;
  @ApiProperty({ nullable: true, type: Boolean, description: 'A cyber attack' }) cyberAttack!: boolean | null;
  @ApiProperty({ type: [String], description: 'Data categories' }) dataCategories!: string[];
  @ApiProperty({ type: [String], description: 'Systems' }) systems!: string[];
  @ApiProperty({ nullable: true, type: Number, description: 'Approximate records' })
  approximateRecords!: number | null;
  @ApiProperty({ nullable: true, type: Boolean, description: 'Encrypted' }) encrypted!: boolean | null;
}

class RegisterEffectsDto {
  @ApiProperty({ description: 'People in the frozen affected set' }) affected!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Likely consequences' })
  likelyConsequences!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Risk level' }) riskLevel!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why that risk level' })
  riskReasoning!: string | null;
}

class RegisterRemedialDto {
  @ApiProperty({ nullable: true, type: String, description: 'Measures taken' }) measuresTaken!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Measures planned' }) measuresPlanned!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Remedies offered' }) remedies!: string | null;
}

class RegisterReportDto {
  @ApiProperty({ description: 'Regulator id' }) regulator!: string;
  @ApiProperty({ description: 'initial, follow-up or final' }) phase!: string;
  @ApiProperty({ description: 'When it was filed' }) at!: string;
  @ApiProperty({ nullable: true, type: String, description: "The regulator's reference" })
  reference!: string | null;
}

class RegisterKeptForDto {
  @ApiProperty({ description: 'The rule that asks for the record' }) ruleId!: string;
  @ApiProperty({ description: 'What it asks' }) what!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Until when (null: no period)' })
  until!: string | null;
}

export class RegisterEntryDto {
  @ApiProperty({ description: 'Incident reference' }) reference!: string;
  @ApiProperty({ description: 'Title' }) title!: string;
  @ApiProperty({ description: 'Lifecycle state' }) state!: string;
  @ApiProperty({ description: 'Awareness' }) discoveredAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Breach start' }) occurredFrom!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Breach end' }) occurredTo!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Contained' }) containedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Confirmed as a breach' })
  confirmedAt!: string | null;
  @ApiProperty({ type: [RegisterJurisdictionDto], description: 'Affected residents per jurisdiction' })
  jurisdictions!: RegisterJurisdictionDto[];
  @ApiProperty({ description: 'False until a scope was frozen (whose the incident is is not known)' })
  jurisdictionsKnown!: boolean;
  @ApiProperty({ type: RegisterFactsDto, description: 'The facts' }) facts!: RegisterFactsDto;
  @ApiProperty({ type: RegisterEffectsDto, description: 'Its effects' }) effects!: RegisterEffectsDto;
  @ApiProperty({ type: RegisterRemedialDto, description: 'The remedial action' })
  remedialAction!: RegisterRemedialDto;
  @ApiProperty({ type: [RegisterDecisionDto], description: 'Each decision, with its reasons' })
  decisions!: RegisterDecisionDto[];
  @ApiProperty({ type: [RegisterReportDto], description: 'Reports filed with regulators' })
  regulatorsNotified!: RegisterReportDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Kept at least until (null: no period ends it)' })
  keepUntil!: string | null;
  @ApiProperty({ type: [RegisterKeptForDto], description: 'The rules that ask for the record' })
  keptFor!: RegisterKeptForDto[];
}

export class RegisterDto {
  @ApiProperty({ nullable: true, type: String, description: 'The jurisdiction asked for' })
  jurisdiction!: string | null;
  @ApiProperty({ description: 'Aware at or after' }) from!: string;
  @ApiProperty({ description: 'Aware before' }) to!: string;
  @ApiProperty({ type: [RegisterEntryDto], description: 'One entry per incident, oldest first' })
  items!: RegisterEntryDto[];
}
