import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { byId, decodeCursor, nextCursor } from '../common/pagination.js';
import { IncidentIdParam } from '../incidents/incident-id.pipe.js';
import { Permission } from '../common/permissions.js';
import type { ReachPerson } from '../jurisdictions/reach.repository.js';
import type { AffectedFilter, AffectedRow, ScopeCounts, ScopeRunRow } from './scoping.repository.js';
import {
  AffectedDto,
  AffectedFilterDto,
  AffectedPageDto,
  AffectedQueryDto,
  IdListDto,
  ScopePreviewDto,
  ScopeRequestDto,
  ScopeRunDto,
} from './scoping.dto.js';
import { ScopingService } from './scoping.service.js';

/** Criteria as responders give them (a choice among the fields: no list or id list of another's). */
const SCOPE_EXAMPLE = {
  criteria: {
    dataCategories: ['camera_data'],
    systems: ['media-store'],
    jurisdictions: ['DE', 'US-CA'],
    activeFrom: '2026-10-01T00:00:00Z',
  },
};
import { ApiBodyExample } from '../common/openapi-examples.js';

const CSV_HEADER =
  'externalId,jurisdiction,minor,guardianContact,exposedCategories,channels,scopeRunId,addedAt,notifiedAt\n';

@ApiTags('scoping')
@ApiNotFoundResponse({ description: 'No such incident' })
@Controller('v1/incidents/:id')
export class ScopingController {
  constructor(private readonly scoping: ScopingService) {}

  @Post('scope/preview')
  @HttpCode(200)
  @Authorize(Permission.ScopeWrite)
  @ApiOperation({
    summary: 'Count who a scope would hold, without writing anything',
    description:
      'By jurisdiction, exposed data category, reachable channel and minors, and the given ids that match nobody.',
  })
  @ApiOkResponse({ type: ScopePreviewDto })
  @ApiBodyExample(ScopeRequestDto, SCOPE_EXAMPLE, 'Who had photos in the store, in Germany and California')
  preview(@IncidentIdParam() id: string, @Body() body: ScopeRequestDto): Promise<ScopePreviewDto> {
    return this.scoping.preview(id, body.criteria);
  }

  @Post('scope')
  @HttpCode(202)
  @Authorize(Permission.ScopeWrite)
  @ApiOperation({
    summary: 'Freeze the affected set (a job); follow it at GET scope',
    description:
      'Before any notice went out, the new set replaces the old one. After, it only adds people (a supplementary scope): nobody already in the set is dropped, and those the new criteria no longer match are counted in `keptOutsideCriteria`.',
  })
  @ApiAcceptedResponse({ type: ScopeRunDto })
  @ApiBodyExample(ScopeRequestDto, SCOPE_EXAMPLE, 'Who had photos in the store, in Germany and California')
  async freeze(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Body() body: ScopeRequestDto,
  ): Promise<ScopeRunDto> {
    return toRunDto(await this.scoping.freeze(actor, id, body.criteria));
  }

  @Get('scope')
  @Authorize(Permission.ScopeRead)
  @ApiOperation({ summary: 'The latest scope run: status, and when completed the set size and counts' })
  @ApiOkResponse({ type: ScopeRunDto })
  async latest(@IncidentIdParam() id: string): Promise<ScopeRunDto> {
    return toRunDto(await this.scoping.latestRun(id));
  }

  @Post('id-lists')
  @Authorize(Permission.ScopeWrite)
  @ApiOperation({
    summary: 'Upload a file of external ids from forensics, for criteria.idListId',
    description:
      'One id per line (or a CSV whose first column is the id; an externalId header is skipped). A line holding an email address refuses the whole list (400, naming the line): the list holds external ids, stored in clear, never contact data.',
  })
  @ApiConsumes('text/plain', 'text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiQuery({ name: 'name', required: false, description: 'A label for the list' })
  @ApiCreatedResponse({ type: IdListDto })
  async uploadIdList(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Query('name') name: string | undefined,
    @Req() req: Request,
  ): Promise<IdListDto> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'text/plain' && type !== 'text/csv') {
      req.resume();
      throw new AppError(ErrorCode.UnsupportedMediaType, 'send the id list as text/plain or text/csv', {
        field: 'Content-Type',
      });
    }
    const label = typeof name === 'string' ? name.slice(0, 200) : null;
    const list = await this.scoping.uploadIdList(actor, id, label, req);
    return {
      id: list.id,
      count: list.count,
      invalidLines: list.invalidLines,
      invalidLineNumbers: list.invalidLineNumbers,
    };
  }

  @Get('affected')
  @Authorize(Permission.AffectedRead)
  @ApiOperation({
    summary: 'The frozen affected set, paged and filtered (audited as a read of personal data)',
    description:
      "Each person with their outcome (notified, pending, unreached), the reason when unreached, and every send to them (channel, attempts, the provider's answer, times). `outcome=unreached` lists who was not reached, and why.",
  })
  @ApiOkResponse({ type: AffectedPageDto })
  async affected(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Query() query: AffectedQueryDto,
  ): Promise<AffectedPageDto> {
    const after = query.cursor ? decodeCursor(query.cursor, { id: 'integer' }).id : 0;
    const rows = await this.scoping.affected(actor, id, toFilter(query), after, query.limit);
    return {
      items: rows.map(toAffectedDto),
      nextCursor: nextCursor(rows, query.limit, byId),
    };
  }

  @Get('affected/export')
  @Authorize(Permission.AffectedRead)
  @ApiOperation({ summary: 'The frozen affected set as CSV, streamed (audited)' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', schema: { type: 'string' } })
  async export(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Query() query: AffectedFilterDto,
    @Res() res: Response,
  ): Promise<void> {
    const pages = this.scoping.exportAffected(actor, id, toFilter(query))[Symbol.asyncIterator]();
    // The first page is read before the headers go out, so a missing incident is still a JSON 404.
    let page = await pages.next();
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="affected-${id}.csv"`);
    res.write(CSV_HEADER);
    while (!page.done) {
      const text = page.value.map(toCsvLine).join('');
      if (!res.write(text)) await new Promise((resolve) => res.once('drain', resolve));
      page = await pages.next();
    }
    res.end();
  }
}

function toFilter(query: AffectedFilterDto): AffectedFilter {
  return {
    jurisdiction: query.jurisdiction,
    minor: query.minor === undefined ? undefined : query.minor === 'true',
    channel: query.channel,
    category: query.category,
    scopeRunId: query.scopeRunId,
    outcome: 'outcome' in query ? (query as AffectedQueryDto).outcome : undefined,
  };
}

/** Quotes a cell that needs it, and defuses spreadsheet formulas (=, +, -, @ at the start). */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function toCsvLine(row: AffectedRow): string {
  return `${[
    row.externalId ?? '',
    row.jurisdiction ?? '',
    String(row.minor),
    String(row.guardianContact),
    row.exposedCategories.join(';'),
    row.channels.join(';'),
    row.scopeRunId,
    row.addedAt.toISOString(),
    row.notifiedAt?.toISOString() ?? '',
  ]
    .map(csvCell)
    .join(',')}\n`;
}

const toAffectedDto = (row: ReachPerson): AffectedDto => ({
  externalId: row.externalId,
  jurisdiction: row.jurisdiction,
  minor: row.minor,
  guardianContact: row.guardianContact,
  exposedCategories: row.exposedCategories,
  channels: row.channels,
  scopeRunId: row.scopeRunId,
  addedAt: row.addedAt.toISOString(),
  notifiedAt: row.notifiedAt?.toISOString() ?? null,
  outcome: row.outcome,
  reason: row.reason,
  history: row.history.map((h) => ({
    ...h,
    sentAt: h.sentAt?.toISOString() ?? null,
    updatedAt: h.updatedAt.toISOString(),
  })),
});

function toRunDto(run: ScopeRunRow): ScopeRunDto {
  return {
    id: run.id,
    incidentId: run.incidentId,
    status: run.status,
    kind: run.kind,
    criteria: run.criteria,
    total: run.total,
    added: run.added,
    removed: run.removed,
    keptOutsideCriteria: run.keptOutsideCriteria,
    counts: (run.counts as unknown as ScopeCounts | null) ?? null,
    error: run.error,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
