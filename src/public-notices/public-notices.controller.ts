import { Body, Controller, Get, HttpCode, Param, Patch, Post, Res, StreamableFile } from '@nestjs/common';
import {
  ApiProduces,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
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
import { PublicNoticesService } from './public-notices.service.js';
import { PAGES_PATH } from './public-pages.render.js';

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
  ): Promise<PublicNoticeDto> {
    return this.toDto(await this.notices.draft(actor, id, body), []);
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
  @ApiOkResponse({ type: PublicNoticeDto })
  async get(@Param('id', uuidParam('id')) id: string): Promise<PublicNoticeDto> {
    return this.toDto(await this.notices.get(id), await this.notices.versions(id));
  }

  @Get('public-notices/:id/preview')
  @Authorize(Permission.PublicNoticeRead)
  @ApiOperation({ summary: 'What the draft would publish now, per language' })
  @ApiOkResponse({ type: PublicNoticePreviewDto })
  async preview(@Param('id', uuidParam('id')) id: string): Promise<PublicNoticePreviewDto> {
    const content = await this.notices.preview(id);
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
  @ApiOkResponse({ type: PublicNoticeDto })
  async edit(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: DraftPublicNoticeDto,
  ): Promise<PublicNoticeDto> {
    return this.toDto(await this.notices.edit(actor, id, body), []);
  }

  @Post('public-notices/:id/approve')
  @HttpCode(200)
  @Authorize(Permission.PublicNoticeApprove)
  @ApiOperation({ summary: 'Approve the draft: not by its author, nor another key of the same holder' })
  @ApiOkResponse({ type: PublicNoticeDto })
  async approve(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<PublicNoticeDto> {
    return this.toDto(await this.notices.approve(actor, id), []);
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
