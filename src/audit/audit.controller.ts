import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { byId, decodeCursor, nextCursor } from '../common/pagination.js';
import { Permission } from '../common/permissions.js';
import { JobRepository } from '../queue/job.repository.js';
import { JobName } from '../queue/queue.catalogue.js';
import {
  AuditEntryDto,
  AuditPageDto,
  AuditQueryDto,
  AuditVerificationDto,
  ChainVerificationDto,
  JobStateDto,
  QueuedJobDto,
} from './audit.dto.js';
import { AuditService } from './audit.service.js';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly jobs: JobRepository,
  ) {}

  @Get()
  @Authorize(Permission.AuditRead)
  @ApiOperation({ summary: 'List audit entries, newest first' })
  @ApiOkResponse({ type: AuditPageDto })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const beforeId = query.cursor ? decodeCursor(query.cursor, { id: 'integer' }).id : undefined;
    const rows = await this.audit.find({
      targetType: query.targetType,
      targetId: query.targetId,
      actorKeyId: query.actor,
      action: query.action,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      beforeId,
      limit: query.limit,
    });
    return {
      items: rows.map((row) => AuditEntryDto.from(row)),
      nextCursor: nextCursor(rows, query.limit, byId),
    };
  }

  @Get('verify')
  @Authorize(Permission.AuditRead)
  @ApiOperation({ summary: 'Recompute the hash chain now' })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(): Promise<ChainVerificationDto> {
    return this.audit.verify();
  }

  @Post('verifications')
  @HttpCode(202)
  @Authorize(Permission.AuditRead)
  @ApiOperation({ summary: 'Queue a verification of the chain (it also runs hourly)' })
  @ApiAcceptedResponse({ type: QueuedJobDto })
  async queueVerification(@CurrentActor() actor: Actor): Promise<QueuedJobDto> {
    const jobId = await this.jobs.add(JobName.AuditVerify, { requestedBy: actor.keyId });
    return { jobId, backend: this.jobs.backendKind };
  }

  @Get('verifications')
  @Authorize(Permission.AuditRead)
  @ApiOperation({ summary: 'The latest verification results' })
  @ApiOkResponse({ type: [AuditVerificationDto] })
  async verifications(): Promise<AuditVerificationDto[]> {
    return (await this.audit.recentVerifications(20)).map((row) => AuditVerificationDto.from(row));
  }

  @Get('verifications/jobs/:jobId')
  @Authorize(Permission.AuditRead)
  @ApiOperation({ summary: 'State of a queued verification job' })
  @ApiOkResponse({ type: JobStateDto })
  async jobState(@Param('jobId') jobId: string): Promise<JobStateDto> {
    return { jobId, state: (await this.jobs.getJobState(JobName.AuditVerify, jobId)) ?? 'unknown' };
  }
}
