import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/pagination.js';
import type { AuditRow, AuditVerificationRow } from './audit.repository.js';
import { IsZonedDateTime } from '../common/validation.js';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Kind of target, e.g. `incident`, `api_key`' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetType?: string;

  @ApiPropertyOptional({ description: 'Id of the target' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  targetId?: string;

  @ApiPropertyOptional({ description: 'API key id of the actor' })
  @IsOptional()
  @IsUUID()
  actor?: string;

  @ApiPropertyOptional({ description: 'Action, e.g. `incident.create`' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ description: 'Entries at or after this instant (ISO 8601 with a zone)' })
  @IsOptional()
  @IsZonedDateTime()
  from?: string;

  @ApiPropertyOptional({ description: 'Entries at or before this instant (ISO 8601 with a zone)' })
  @IsOptional()
  @IsZonedDateTime()
  to?: string;
}

export class AuditEntryDto {
  @ApiProperty({ description: 'Position in the chain' }) id!: number;
  @ApiProperty({ description: 'When it happened' }) at!: string;
  @ApiProperty({ description: 'API key that acted; null for the system', nullable: true, type: String })
  actorKeyId!: string | null;
  @ApiProperty({ description: 'Role of the actor, or `system`' }) actorRole!: string;
  @ApiProperty({ description: 'What was done, e.g. `incident.transition`' }) action!: string;
  @ApiProperty({ description: 'Kind of target' }) targetType!: string;
  @ApiProperty({ description: 'Id of the target', nullable: true, type: String }) targetId!: string | null;
  @ApiProperty({ description: 'Client IP address', nullable: true, type: String }) ip!: string | null;
  @ApiProperty({
    description: 'What changed, without personal data',
    type: 'object',
    additionalProperties: true,
  })
  summary!: Record<string, unknown>;
  @ApiProperty({ description: 'Hash of the previous entry' }) prevHash!: string;
  @ApiProperty({ description: 'SHA-256 of this entry, covering prevHash' }) hash!: string;

  static from(row: AuditRow): AuditEntryDto {
    return { ...row, at: row.at.toISOString() };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto], description: 'Newest first' }) items!: AuditEntryDto[];
  @ApiProperty({
    description: 'Pass as `cursor` for the next page; null on the last',
    nullable: true,
    type: String,
  })
  nextCursor!: string | null;
}

export class ChainVerificationDto {
  @ApiProperty({ description: 'Every entry links to its predecessor and matches its hash' }) valid!: boolean;
  @ApiProperty({ description: 'Entries checked' }) entries!: number;
  @ApiProperty({ description: 'First entry that fails, when not valid', nullable: true, type: Number })
  firstBrokenId!: number | null;
}

export class AuditVerificationDto extends ChainVerificationDto {
  @ApiProperty({ description: 'Id of the verification run' }) id!: number;
  @ApiProperty({ description: 'When it ran' }) at!: string;
  @ApiProperty({ description: 'How long it took' }) durationMs!: number;

  static from(row: AuditVerificationRow): AuditVerificationDto {
    return { ...row, at: row.at.toISOString() };
  }
}

export class QueuedJobDto {
  @ApiProperty({ description: 'Id of the queued job' }) jobId!: string;
  @ApiProperty({ description: 'Queue backend that holds it', enum: ['redis', 'postgres', 'embedded'] })
  backend!: string;
}

export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'unknown'] as const;
export class JobStateDto {
  @ApiProperty({ description: 'Job id' }) jobId!: string;
  @ApiProperty({ enum: JOB_STATES, description: 'Where the job is' }) state!: string;
}
