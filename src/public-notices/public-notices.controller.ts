import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiProduces,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { parseIfMatch, parseOptionalIfMatch } from '../common/if-match.js';
import { uuidParam } from '../common/params.js';
import { IncidentIdParam } from '../incidents/incident-id.pipe.js';
import { Permission } from '../common/permissions.js';
import { AppConfig } from '../config/config.js';
import {
  DraftPublicNoticeDto,
  PublicNoticeDto,
  PublicNoticeListDto,
  PublicNoticePreviewDto,
  WithdrawPublicNoticeDto,
} from './public-notices.dto.js';
import type { PublicNoticeRow, PublicNoticeVersionRow } from './public-notices.repository.js';
import { PublicNoticesService, type Expected } from './public-notices.service.js';
import { PAGES_PATH } from './public-pages.render.js';

/** The preview's ETag: its content's digest, marked apart from a version number. */
const PREVIEW_ETAG = 'preview-';

/** What an approval's If-Match names: a preview's digest or the notice's version; nothing without one. */
function expectedOf(header: string | undefined): Expected {
  const preview = /^\s*"?preview-([0-9a-f]{64})"?\s*$/.exec(header ?? '');
  return preview ? { digest: preview[1] } : { version: parseOptionalIfMatch(header) };
}

@ApiTags('public-notices')
@ApiNotFoundResponse({ description: 'No such incident or public notice' })
@Controller('v1')
export class PublicNoticesController {
  constructor(
    private readonly notices: PublicNoticesService,
    private readonly config: AppConfig,
  ) {}

  @Post('incidents/:id/public-notices')
  @Authorize(Permission.PublicNoticeWrite)
  @ApiOperation({
    summary: 'Draft a public Security Notice from the incident',
    description:
      "From the incident's facts and translations, shaped by a jurisdiction's notice profile; editable, then approved by someone other than its author, then published at /security-notices/{slug}.",
  })
  @ApiCreatedResponse({ type: PublicNoticeDto })
  async draft(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Body() body: DraftPublicNoticeDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicNoticeDto> {
    return this.withEtag(res, await this.notices.draft(actor, id, body), []);
  }

  @Get('incidents/:id/public-notices')
  @Authorize(Permission.PublicNoticeRead)
  @ApiOperation({ summary: "An incident's public notices, newest first" })
  @ApiOkResponse({ type: PublicNoticeListDto })
  async list(@IncidentIdParam() id: string): Promise<PublicNoticeListDto> {
    return { items: (await this.notices.list(id)).map((row) => this.toDto(row, [])) };
  }

  @Get('public-notices/:id')
  @Authorize(Permission.PublicNoticeRead)
  @ApiOperation({ summary: 'A public notice, with its published versions' })
  @ApiOkResponse({ type: PublicNoticeDto, description: 'ETag header carries the version' })
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicNoticeDto> {
    return this.withEtag(res, await this.notices.get(id), await this.notices.versions(id));
  }

  @Get('public-notices/:id/preview')
  @Authorize(Permission.PublicNoticeRead)
  @ApiOperation({
    summary: 'What the draft would publish now, per language',
    description:
      'Its ETag names exactly this content: sent as If-Match to approve, the approval is refused (412) if the notice or its incident changed since.',
  })
  @ApiOkResponse({ type: PublicNoticePreviewDto })
  async preview(
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicNoticePreviewDto> {
    const { content, digest } = await this.notices.preview(id);
    res.setHeader('ETag', `"${PREVIEW_ETAG}${digest}"`);
    return { languages: content.languages, texts: content.texts };
  }

  @Get('public-notices/:id/export')
  @Authorize(Permission.PublicNoticeRead)
  @ApiOperation({
    summary: 'The published notice as a static bundle (tar.gz) for the company website or a CDN',
    description:
      'A page per language (index.html the first), notice.json, feed.atom, notice.css and banner.html, an embeddable link to the notice.',
  })
  @ApiProduces('application/gzip')
  @ApiOkResponse({ description: 'The bundle' })
  async export(
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const { name, file } = await this.notices.export(id);
    response.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    return new StreamableFile(file, { type: 'application/gzip' });
  }

  @Patch('public-notices/:id')
  @Authorize(Permission.PublicNoticeWrite)
  @ApiOperation({
    summary:
      'Edit the draft (an update of a published notice: the page keeps the last version until this one is approved and published)',
  })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag of the version you read, e.g. "3"' })
  @ApiOkResponse({ type: PublicNoticeDto })
  @ApiPreconditionFailedResponse({ description: 'Someone changed it since you read it' })
  async edit(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: DraftPublicNoticeDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicNoticeDto> {
    return this.withEtag(res, await this.notices.edit(actor, id, body, parseIfMatch(ifMatch)), []);
  }

  @Post('public-notices/:id/approve')
  @HttpCode(200)
  @Authorize(Permission.PublicNoticeApprove)
  @ApiOperation({
    summary: 'Approve the draft: not by its author, nor another key of the same holder',
    description:
      'What is approved is what the draft would publish now; publishing refuses (409, the notice a draft again) if the incident changed it since.',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: "The notice's ETag (its version) or the preview's: refused (412) if it changed since",
  })
  @ApiOkResponse({ type: PublicNoticeDto })
  @ApiPreconditionFailedResponse({
    description: 'The notice, or what it would publish, changed since you read it',
  })
  async approve(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicNoticeDto> {
    return this.withEtag(res, await this.notices.approve(actor, id, expectedOf(ifMatch)), []);
  }

  @Post('public-notices/:id/publish')
  @HttpCode(200)
  @Authorize(Permission.PublicNoticeWrite)
  @ApiOperation({
    summary: 'Publish the approved draft as a new dated version',
    description:
      "Meets the public-notice obligations of its jurisdictions, and the individuals' obligations for the unreached residents where the law accepts a substitute notice.",
  })
  @ApiOkResponse({ type: PublicNoticeDto })
  async publish(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<PublicNoticeDto> {
    return this.toDto(await this.notices.publish(actor, id), await this.notices.versions(id));
  }

  @Post('public-notices/:id/withdraw')
  @HttpCode(200)
  @Authorize(Permission.PublicNoticeWrite)
  @ApiOperation({
    summary: 'Take the notice down',
    description:
      'Refused (409, with the rule and the date) before the longest minimum period of its jurisdictions ends.',
  })
  @ApiOkResponse({ type: PublicNoticeDto })
  async withdraw(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: WithdrawPublicNoticeDto,
  ): Promise<PublicNoticeDto> {
    return this.toDto(await this.notices.withdraw(actor, id, body.reason), []);
  }

  private withEtag(res: Response, row: PublicNoticeRow, versions: PublicNoticeVersionRow[]): PublicNoticeDto {
    res.setHeader('ETag', `"${row.version}"`);
    return this.toDto(row, versions);
  }

  private toDto(row: PublicNoticeRow, versions: PublicNoticeVersionRow[]): PublicNoticeDto {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    return {
      id: row.id,
      incidentId: row.incidentId,
      slug: row.slug,
      url: `${this.config.publicBaseUrl}${PAGES_PATH}/${row.slug}`,
      status: row.status,
      jurisdictions: row.jurisdictions,
      profileJurisdiction: row.profileJurisdiction,
      languages: row.languages,
      words: row.words,
      updateNote: row.updateNote,
      raisedBy: row.raisedBy,
      version: row.version,
      publishedVersion: row.publishedVersion,
      firstPublishedAt: iso(row.firstPublishedAt),
      draftedAt: row.draftedAt.toISOString(),
      approvedAt: iso(row.approvedAt),
      withdrawnAt: iso(row.withdrawnAt),
      withdrawnReason: row.withdrawnReason,
      versions: versions.map((v) => ({
        version: v.version,
        publishedAt: v.publishedAt.toISOString(),
        note: v.note,
      })),
    };
  }
}
