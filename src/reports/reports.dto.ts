import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ReportStatus } from './reports.service.js';
import { IsZonedDateTime } from '../common/validation.js';

export const PHASES = ['initial', 'follow-up', 'final'] as const;

export class GenerateReportDto {
  @ApiProperty({
    description: 'Regulator id, as in the obligations (`ico`, `fr-cnil`, `anpd`, `us-ca-ag`, ...)',
    example: 'ico',
  })
  @IsString()
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'regulator must be a regulator id such as ico or fr-cnil' })
  regulator!: string;

  @ApiProperty({ enum: PHASES, description: 'initial, follow-up (Art. 33(4) phases) or final' })
  @IsIn(PHASES)
  phase!: (typeof PHASES)[number];

  @ApiPropertyOptional({
    description: 'Why the report is late; required when it is past its deadline (GDPR Art. 33(1))',
    example:
      'Which accounts were exposed was known only once the access logs had been read, four days after discovery.',
    maxLength: 10_000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  delayReasons?: string;
}

export class ReportSubmittedDto {
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-06T16:00:00Z',
    description:
      'When it was filed with the regulator (ISO 8601 with a zone): after its approval, not in the future',
  })
  @IsZonedDateTime()
  at!: string;

  @ApiProperty({
    description: "The regulator's case or confirmation reference",
    example: 'ICO-2026-001234',
    maxLength: 200,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reference!: string;
}

export class ReportDto {
  @ApiProperty({ description: 'Id' }) id!: string;
  @ApiProperty({ description: 'Incident' }) incidentId!: string;
  @ApiProperty({ description: 'Regulator id' }) regulatorId!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "The regulator's form it follows (null until generated)",
  })
  form!: string | null;
  @ApiProperty({ enum: PHASES, description: 'Phase' }) phase!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Language it is written in (BCP 47; null until generated)',
  })
  language!: string | null;
  @ApiProperty({
    enum: Object.values(ReportStatus),
    description:
      'generating (its job fills it: poll until it is not), then draft (generated, for review) or failed (see error), approved, submitted',
  })
  status!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      "Why the generation failed: the rule the incident's facts did not meet (no obligation to this regulator, a late report without delayReasons), or that it broke",
  })
  error!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'SHA-256 (hex) of `content` as canonical JSON (keys sorted at every level); also in the audit log. Null until generated',
  })
  sha256!: string | null;
  @ApiProperty({
    nullable: true,
    type: Boolean,
    description: 'Asked for past its deadline (null until generated)',
  })
  late!: boolean | null;
  @ApiProperty({ nullable: true, type: String, description: 'Reasons for the delay' }) delayReasons!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The previous report to this regulator' })
  previousId!: string | null;
  @ApiProperty({ description: 'Asked for' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Approved' }) approvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Filed with the regulator' }) submittedAt!:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: "The regulator's reference" })
  submittedReference!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'The report: sections of fields (each filled or listed as missing), changes, chart data. Null until generated',
  })
  content!: Record<string, unknown> | null;
}

export class ReportListDto {
  @ApiProperty({ type: [ReportDto], description: 'Newest first' }) items!: ReportDto[];
}
