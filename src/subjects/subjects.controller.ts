import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { byId, decodeCursor, nextCursor, PageQueryDto } from '../common/pagination.js';
import { uuidParam } from '../common/params.js';
import { Permission } from '../common/permissions.js';
import type { ImportFormat } from './import.parsers.js';
import type { ImportRow, RejectionRow } from './imports.repository.js';
import { ImportsService, UPLOAD_IDLE_MS } from './imports.service.js';
import {
  BulkResultDto,
  BulkSubjectsDto,
  ImportDto,
  ImportQueryDto,
  ImportRejectionDto,
  ImportRejectionPageDto,
  LookupDto,
  StoredSubjectDto,
  SubjectListDto,
} from './subjects.dto.js';
import { SubjectsService, type SubjectView } from './subjects.service.js';
import { EXTERNAL_ID, EXTERNAL_ID_RULE } from './subject.validation.js';

const FIRST_REJECTIONS = 100;

const CONTENT_TYPES: Record<string, ImportFormat> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/jsonlines': 'ndjson',
  'text/csv': 'csv',
};

@ApiTags('subjects')
@Controller('v1/subjects')
export class SubjectsController {
  constructor(
    private readonly subjects: SubjectsService,
    private readonly imports: ImportsService,
  ) {}

  @Post('bulk')
  @HttpCode(200)
  @Authorize(Permission.SubjectWrite)
  @ApiOperation({
    summary: 'Insert or replace up to 10,000 people by externalId',
    description:
      'Every row is checked on its own: valid rows are stored even when others are refused, and each refused row is listed with its index, field and rule. Rows apply in order: a repeated externalId updates what the earlier row wrote.',
  })
  @ApiOkResponse({ type: BulkResultDto })
  bulk(@CurrentActor() actor: Actor, @Body() body: BulkSubjectsDto): Promise<BulkResultDto> {
    return this.subjects.bulkUpsert(actor, body.subjects);
  }

  @Post('imports')
  @HttpCode(202)
  @Authorize(Permission.SubjectWrite)
  @ApiOperation({
    summary: 'Import a file of people (NDJSON or CSV, streamed, millions of rows) as a job',
    description:
      'Send the file as the body with Content-Type application/x-ndjson or text/csv. The upload is stored encrypted and processed by a worker from its first megabyte on, while the rest arrives; follow it at GET /v1/subjects/imports/{id}. If the upload breaks, or the connection is silent for 60 s, the import fails and the people already imported stay (send the file again). A file whose Content-Length is over IMPORT_MAX_BYTES gets 413 before anything is imported; one sent without a length is cut off at the limit, with 413, and what came before it stays imported. If the node storing an upload dies, its job gives the import up after 5 minutes without data, and the rest of that upload, should it come, gets 409. A file whose content fails the import (an unknown CSV column, say) may fail it before it has all arrived: the rest is not stored, and the 202 shows the import already failed, with its reason. CSV: a header row of the subject field names, guardianName/guardianEmail/guardianPhone/guardianLocale for the guardian, lists separated by `;`, push tokens as `platform:token`.',
  })
  @ApiConsumes('application/x-ndjson', 'text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiAcceptedResponse({ type: ImportDto })
  async startImport(
    @CurrentActor() actor: Actor,
    @Query() query: ImportQueryDto,
    @Req() req: Request,
  ): Promise<ImportDto> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = query.format ?? CONTENT_TYPES[type];
    if (!format || type === 'application/json') {
      req.resume();
      throw new AppError(
        ErrorCode.UnsupportedMediaType,
        'send the file with Content-Type application/x-ndjson (one JSON object per line) or text/csv',
        { field: 'Content-Type', accepted: Object.keys(CONTENT_TYPES) },
      );
    }
    const length = Number(req.headers['content-length']);
    // A sender silent this long is cut off ("the upload was interrupted"); see UPLOAD_IDLE_MS.
    req.setTimeout(UPLOAD_IDLE_MS, () => req.destroy(new Error('upload idle')));
    return this.importDto(
      await this.imports.receive(actor, format, req, Number.isFinite(length) ? length : undefined),
    );
  }

  @Get('imports/:id')
  @Authorize(Permission.ImportRead)
  @ApiOperation({ summary: "An import's progress, counts and first rejected lines" })
  @ApiOkResponse({ type: ImportDto })
  async getImport(@Param('id', uuidParam('id')) id: string): Promise<ImportDto> {
    return this.importDto(await this.imports.get(id));
  }

  @Get('imports/:id/rejections')
  @Authorize(Permission.ImportRead)
  @ApiOperation({ summary: 'The rejected lines of an import, in line order' })
  @ApiOkResponse({ type: ImportRejectionPageDto })
  async rejections(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: PageQueryDto,
  ): Promise<ImportRejectionPageDto> {
    const after = query.cursor ? decodeCursor(query.cursor, { id: 'integer' }).id : 0;
    const rows = await this.imports.rejections(id, after, query.limit);
    return { items: rows.map(toRejectionDto), nextCursor: nextCursor(rows, query.limit, byId) };
  }

  @Post('lookup')
  @HttpCode(200)
  @Authorize(Permission.SubjectRead)
  @ApiOperation({
    summary: 'Find people by email or phone (through keyed hashes; audited)',
    description: 'A POST so the address never appears in a URL or an access log.',
  })
  @ApiOkResponse({ type: SubjectListDto })
  async lookup(@CurrentActor() actor: Actor, @Body() body: LookupDto): Promise<SubjectListDto> {
    return { items: (await this.subjects.lookup(actor, body)).map(toSubjectDto) };
  }

  @Get(':externalId')
  @Authorize(Permission.SubjectRead)
  @ApiOperation({ summary: 'One person, decrypted (audited as a read of personal data)' })
  @ApiOkResponse({ type: StoredSubjectDto })
  async get(
    @CurrentActor() actor: Actor,
    @Param('externalId') externalId: string,
  ): Promise<StoredSubjectDto> {
    return toSubjectDto(await this.subjects.get(actor, checkExternalId(externalId)));
  }

  @Delete(':externalId')
  @HttpCode(204)
  @Authorize(Permission.SubjectErase)
  @ApiOperation({
    summary: 'Erase a person: contact data gone for good',
    description:
      'Affected-set rows stay without identity, so counts of people notified in reports stay right.',
  })
  @ApiNoContentResponse()
  async erase(@CurrentActor() actor: Actor, @Param('externalId') externalId: string): Promise<void> {
    await this.subjects.erase(actor, checkExternalId(externalId));
  }

  private async importDto(row: ImportRow): Promise<ImportDto> {
    const rejections = await this.imports.rejections(row.id, 0, FIRST_REJECTIONS);
    return {
      id: row.id,
      format: row.format,
      status: row.status,
      bytes: row.bytes,
      progress: row.bytes > 0 ? Math.min(1, row.bytesDone / row.bytes) : 0,
      lines: row.linesDone,
      created: row.created,
      updated: row.updated,
      rejected: row.rejected,
      rejections: rejections.map(toRejectionDto),
      rejectionsNextCursor: nextCursor(rejections, FIRST_REJECTIONS, byId),
      error: row.error,
      createdAt: row.createdAt.toISOString(),
      startedAt: row.startedAt?.toISOString() ?? null,
      finishedAt: row.finishedAt?.toISOString() ?? null,
    };
  }
}

function checkExternalId(externalId: string): string {
  if (!EXTERNAL_ID.test(externalId)) {
    throw AppError.invalid([
      {
        field: 'externalId',
        rule: 'isExternalId',
        message: EXTERNAL_ID_RULE,
      },
    ]);
  }
  return externalId;
}

const toRejectionDto = (row: RejectionRow): ImportRejectionDto => ({
  line: row.line,
  field: row.field,
  rule: row.rule,
  message: row.message,
});

function toSubjectDto(view: SubjectView): StoredSubjectDto {
  return {
    externalId: view.externalId,
    name: view.name,
    email: view.email,
    phone: view.phone,
    pushTokens: view.pushTokens,
    locale: view.locale,
    timeZone: view.timeZone,
    jurisdiction: view.jurisdiction,
    birthDate: view.birthDate,
    guardian: view.guardian,
    channelPreferences: view.channelPreferences,
    dataCategories: view.dataCategories,
    systems: view.systems,
    createdAt: view.createdAt?.toISOString(),
    lastActiveAt: view.lastActiveAt?.toISOString(),
    derived: view.derived,
    keyId: view.keyId,
    storedAt: view.storedAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}
