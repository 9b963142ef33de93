import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { uuidParam } from '../common/params.js';
import { IncidentIdParam } from '../incidents/incident-id.pipe.js';
import { Permission } from '../common/permissions.js';
import type { CampaignRow } from './campaigns.repository.js';
import {
  CampaignDto,
  CampaignListDto,
  CampaignPreviewDto,
  CreateCampaignDto,
  PreviewQueryDto,
} from './campaigns.dto.js';
import { CampaignsService, type CampaignView, type CampaignWithWarnings } from './campaigns.service.js';

@ApiTags('campaigns')
@ApiNotFoundResponse({ description: 'No such incident or campaign' })
@Controller('v1')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post('incidents/:id/campaigns')
  @Authorize(Permission.CampaignWrite)
  @ApiOperation({
    summary: 'Draft a notice campaign over the frozen affected set',
    description:
      'Nothing is sent until someone other than the author approves it. One campaign per incident at a time; people already notified are not planned again.',
  })
  @ApiCreatedResponse({ type: CampaignDto })
  async create(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Body() body: CreateCampaignDto,
  ): Promise<CampaignDto> {
    return toDto(
      await this.campaigns.create(actor, id, {
        template: body.template,
        channels: body.channels,
        mode: body.mode,
        includeGuardians: body.includeGuardians ?? true,
      }),
    );
  }

  @Get('incidents/:id/campaigns')
  @Authorize(Permission.CampaignRead)
  @ApiOperation({ summary: "An incident's campaigns, newest first" })
  @ApiOkResponse({ type: CampaignListDto })
  async list(@IncidentIdParam() id: string): Promise<CampaignListDto> {
    return { items: (await this.campaigns.list(id)).map((c) => toDto(c)) };
  }

  @Get('campaigns/:id')
  @Authorize(Permission.CampaignRead)
  @ApiOperation({
    summary: 'Status and progress: recipients by outcome, messages by channel and state, rate, time left',
  })
  @ApiOkResponse({ type: CampaignDto })
  async get(@Param('id', uuidParam('id')) id: string): Promise<CampaignDto> {
    return toDto(await this.campaigns.view(id));
  }

  @Get('campaigns/:id/preview')
  @Authorize(Permission.CampaignRead)
  @ApiOperation({
    summary: 'The notice as a sample recipient of that locale, jurisdiction and time zone would get it',
    description:
      'With the SMS encoding and segment count. A finished campaign shows what it sent (its sealed copies), not the incident as it reads now; 404 for a locale or variant it did not send.',
  })
  @ApiOkResponse({ type: CampaignPreviewDto })
  async preview(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: PreviewQueryDto,
  ): Promise<CampaignPreviewDto> {
    const { sentAt, warnings, ...rendered } = await this.campaigns.preview(id, query);
    const sent = sentAt ? { sentAt: sentAt.toISOString() } : {};
    if (!query.channel) return { ...rendered, ...sent, warnings };
    return {
      template: rendered.template,
      locale: rendered.locale,
      [query.channel]: rendered[query.channel],
      ...sent,
      warnings,
    };
  }

  @Post('campaigns/:id/approve')
  @HttpCode(200)
  @Authorize(Permission.CampaignApprove)
  @ApiOperation({
    summary: 'Approve a draft (not by its author); sending starts',
    description:
      "Also approves again a campaign paused because its incident's words changed since its approval (incident_changed): it sends on with the words as they now read.",
  })
  @ApiOkResponse({ type: CampaignDto })
  async approve(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<CampaignDto> {
    return toDto(await this.campaigns.approve(actor, id));
  }

  @Post('campaigns/:id/pause')
  @HttpCode(200)
  @Authorize(Permission.CampaignWrite)
  @ApiOperation({ summary: 'Stop sending new batches; messages in flight finish' })
  @ApiOkResponse({ type: CampaignDto })
  async pause(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignDto> {
    return toDto(await this.campaigns.pause(actor, id));
  }

  @Post('campaigns/:id/resume')
  @HttpCode(200)
  @Authorize(Permission.CampaignWrite)
  @ApiOperation({
    summary: 'Resume a paused campaign',
    description:
      "Refused (409, reason incident_changed) when the incident's words its notices say changed since the approval: an approver approves it again instead.",
  })
  @ApiOkResponse({ type: CampaignDto })
  async resume(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignDto> {
    return toDto(await this.campaigns.resume(actor, id));
  }

  @Post('campaigns/:id/cancel')
  @HttpCode(200)
  @Authorize(Permission.CampaignWrite)
  @ApiOperation({ summary: 'Cancel: what has not left does not leave' })
  @ApiOkResponse({ type: CampaignDto })
  async cancel(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<CampaignDto> {
    return toDto(await this.campaigns.cancel(actor, id));
  }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toDto(row: CampaignRow | CampaignView | CampaignWithWarnings): CampaignDto {
  return {
    id: row.id,
    incidentId: row.incidentId,
    template: row.template,
    channels: row.channels,
    mode: row.mode,
    includeGuardians: row.includeGuardians,
    status: row.status,
    recipients: row.recipients,
    possibleDuplicates: row.possibleDuplicates,
    createdBy: row.createdBy,
    approvedBy: row.approvedBy,
    approvedAt: iso(row.approvedAt),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    createdAt: row.createdAt.toISOString(),
    ...('progress' in row ? { progress: { ...row.progress, asOf: row.progress.asOf.toISOString() } } : {}),
    ...('heldBack' in row && row.heldBack
      ? {
          heldBack: row.heldBack.map((h) => ({
            jurisdiction: h.jurisdiction,
            residents: h.residents,
            regulator: h.regulatorName,
            untilReport: h.afterReport,
            why: h.why,
          })),
        }
      : {}),
    ...('warnings' in row && row.warnings
      ? {
          warnings: row.warnings.map((w) => ({
            code: w.code,
            locales: w.locales,
            fields: w.fields,
            message: w.message,
          })),
        }
      : {}),
  };
}
