import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { uuidParam } from '../common/params.js';
import { IncidentIdParam } from '../incidents/incident-id.pipe.js';
import { Permission } from '../common/permissions.js';
import { GenerateReportDto, ReportDto, ReportListDto, ReportSubmittedDto } from './reports.dto.js';
import type { ReportRow } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

const REPORT_PATH = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.(json|html|pdf))?$/i;

@ApiTags('reports')
@ApiNotFoundResponse({ description: 'No such incident or report' })
@Controller('v1')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post('incidents/:id/reports')
  @Authorize(Permission.ReportWrite)
  @ApiOperation({
    summary: "Generate a report to a regulator in its form's fields, with the handling status",
    description:
      "Answers at once with the report `generating`; a job fills it (its reads go over the whole affected set), then GET /v1/reports/{id} shows it `draft`, or `failed` with `error` when the incident's facts do not allow it (no obligation to this regulator, a late report without delayReasons). A draft until someone other than its author approves it. A follow-up or final report lists what changed since the previous one.",
  })
  @HttpCode(202)
  @ApiAcceptedResponse({ type: ReportDto })
  async generate(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Body() body: GenerateReportDto,
  ): Promise<ReportDto> {
    return toDto(await this.reports.generate(actor, id, body));
  }

  @Get('incidents/:id/reports')
  @Authorize(Permission.ReportRead)
  @ApiOperation({ summary: "An incident's reports, newest first" })
  @ApiOkResponse({ type: ReportListDto })
  async list(@IncidentIdParam() id: string): Promise<ReportListDto> {
    return { items: (await this.reports.list(id)).map(toDto) };
  }

  @Get('reports/:id')
  @Authorize(Permission.ReportRead)
  @ApiOperation({
    summary: 'A report as JSON, HTML or PDF',
    description:
      'By the Accept header (application/json, text/html, application/pdf) or by suffix: `/v1/reports/{id}.html`, `.pdf`, `.json`.',
  })
  @ApiProduces('application/json', 'text/html', 'application/pdf')
  @ApiOkResponse({ type: ReportDto })
  async get(
    @Param('id') ref: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ReportDto | string | StreamableFile> {
    const match = REPORT_PATH.exec(ref);
    if (!match?.[1]) {
      throw AppError.invalid([
        { field: 'id', rule: 'isUuid', message: 'id must be a UUID, optionally with .json, .html or .pdf' },
      ]);
    }
    const report = await this.reports.get(match[1].toLowerCase());
    const format = match[2]?.toLowerCase() ?? negotiate(accept);
    if (report.sha256 === null) {
      if (format === 'json') return toDto(report);
      throw new AppError(ErrorCode.Conflict, `report ${report.id} is ${report.status}: it has no document`, {
        status: report.status,
      });
    }
    response.setHeader('X-Content-SHA256', report.sha256);
    if (format === 'html') {
      response.type('text/html; charset=utf-8');
      return this.reports.html(report);
    }
    if (format === 'pdf') {
      return new StreamableFile(await this.reports.pdf(report), {
        type: 'application/pdf',
        disposition: `inline; filename="report-${report.id}.pdf"`,
      });
    }
    return toDto(report);
  }

  @Post('reports/:id/approve')
  @HttpCode(200)
  @Authorize(Permission.ReportApprove)
  @ApiOperation({ summary: 'Approve a report drafted by someone else' })
  @ApiOkResponse({ type: ReportDto })
  async approve(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<ReportDto> {
    return toDto(await this.reports.approve(actor, id));
  }

  @Post('reports/:id/submitted')
  @HttpCode(200)
  @Authorize(Permission.ReportWrite)
  @ApiOperation({ summary: 'Record that an approved report was filed; this meets its obligation' })
  @ApiOkResponse({ type: ReportDto })
  async submitted(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: ReportSubmittedDto,
  ): Promise<ReportDto> {
    return toDto(await this.reports.submitted(actor, id, new Date(body.at), body.reference));
  }
}

/** The first of the formats the client accepts most; JSON when it says nothing we serve. */
function negotiate(accept: string | undefined): 'json' | 'html' | 'pdf' {
  const wanted = (accept ?? '')
    .split(',')
    .map((part) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type ?? '', q: q ? Number(q.slice(2)) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { type } of wanted) {
    if (type === 'application/pdf') return 'pdf';
    if (type === 'text/html') return 'html';
    if (type === 'application/json' || type === '*/*') return 'json';
  }
  return 'json';
}

function toDto(row: ReportRow): ReportDto {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: row.id,
    incidentId: row.incidentId,
    regulatorId: row.regulatorId,
    form: row.form,
    phase: row.phase,
    language: row.language,
    status: row.status,
    sha256: row.sha256,
    late: row.late,
    error: row.error,
    delayReasons: row.delayReasons,
    previousId: row.previousId,
    createdAt: row.createdAt.toISOString(),
    approvedAt: iso(row.approvedAt),
    submittedAt: iso(row.submittedAt),
    submittedReference: row.submittedReference,
    content: row.content,
  };
}
