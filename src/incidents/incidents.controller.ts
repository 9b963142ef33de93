import { Body, Controller, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { parseIfMatch } from '../common/if-match.js';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { byId, decodeCursor, nextCursor, PageQueryDto } from '../common/pagination.js';
import { IncidentIdParam } from './incident-id.pipe.js';
import { Permission } from '../common/permissions.js';
import { allowedTransitions, IncidentState } from './incident.lifecycle.js';
import { IncidentDto, IncidentPageDto, TimelineEventDto, TimelinePageDto } from './incident.response.dto.js';
import { CreateIncidentDto, IncidentQueryDto, TransitionDto, UpdateIncidentDto } from './incidents.dto.js';
import type { IncidentEventRow, IncidentRow } from './incidents.repository.js';
import type { ChronologyEntry } from './regulator-text.js';
import { ApiBodyExample } from '../common/openapi-examples.js';
import {
  CREATE_INCIDENT_EXAMPLE,
  TRANSITION_EXAMPLE,
  UPDATE_INCIDENT_EXAMPLE,
} from './incidents.examples.js';
import { IncidentsService } from './incidents.service.js';

@ApiTags('incidents')
@ApiNotFoundResponse({ description: 'No such incident' })
@Controller('v1/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Post()
  @Authorize(Permission.IncidentCreate)
  @ApiOperation({ summary: 'Record a breach; it starts in state `detected`' })
  @ApiBodyExample(CreateIncidentDto, CREATE_INCIDENT_EXAMPLE, 'A breach, as responders record it')
  @ApiCreatedResponse({ type: IncidentDto, description: 'ETag header carries the version' })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateIncidentDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IncidentDto> {
    return withEtag(res, await this.incidents.create(actor, body));
  }

  @Get()
  @Authorize(Permission.IncidentRead)
  @ApiOperation({ summary: 'List incidents, newest first' })
  @ApiOkResponse({ type: IncidentPageDto })
  async list(@Query() query: IncidentQueryDto): Promise<IncidentPageDto> {
    const before = query.cursor ? decodeCursor(query.cursor, { createdAt: 'date', id: 'uuid' }) : undefined;
    const rows = await this.incidents.find({
      state: query.state,
      riskLevel: query.riskLevel,
      text: query.q,
      discoveredFrom: query.discoveredFrom ? new Date(query.discoveredFrom) : undefined,
      discoveredTo: query.discoveredTo ? new Date(query.discoveredTo) : undefined,
      before,
      limit: query.limit,
    });
    return {
      items: rows.map(toDto),
      nextCursor: nextCursor(rows, query.limit, (last) => ({
        createdAt: last.createdAt.toISOString(),
        id: last.id,
      })),
    };
  }

  @Get(':id')
  @Authorize(Permission.IncidentRead)
  @ApiOperation({ summary: 'One incident' })
  @ApiOkResponse({ type: IncidentDto, description: 'ETag header carries the version' })
  async get(@IncidentIdParam() id: string, @Res({ passthrough: true }) res: Response): Promise<IncidentDto> {
    return withEtag(res, await this.incidents.get(id));
  }

  @Patch(':id')
  @Authorize(Permission.IncidentUpdate)
  @ApiOperation({ summary: 'Change facts; send If-Match with the ETag you read' })
  @ApiBodyExample(UpdateIncidentDto, UPDATE_INCIDENT_EXAMPLE, 'The risk assessed')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag of the version you read, e.g. "3"' })
  @ApiOkResponse({ type: IncidentDto })
  @ApiPreconditionFailedResponse({ description: 'Someone changed it since you read it' })
  async update(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateIncidentDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IncidentDto> {
    return withEtag(res, await this.incidents.update(actor, id, parseIfMatch(ifMatch), body));
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Authorize(Permission.IncidentTransition)
  @ApiOperation({ summary: 'Move the incident to another state; 409 lists the allowed ones' })
  @ApiBodyExample(TransitionDto, TRANSITION_EXAMPLE, 'A new incident, assessed')
  @ApiOkResponse({ type: IncidentDto })
  async transition(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Body() body: TransitionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IncidentDto> {
    return withEtag(res, await this.incidents.transition(actor, id, body));
  }

  @Get(':id/timeline')
  @Authorize(Permission.IncidentRead)
  @ApiOperation({ summary: 'Everything that happened to the incident, oldest first' })
  @ApiOkResponse({ type: TimelinePageDto })
  async timeline(@IncidentIdParam() id: string, @Query() page: PageQueryDto): Promise<TimelinePageDto> {
    const afterId = page.cursor ? decodeCursor(page.cursor, { id: 'integer' }).id : 0;
    const rows = await this.incidents.timeline(id, afterId, page.limit);
    return {
      items: rows.map(toEventDto),
      nextCursor: nextCursor(rows, page.limit, byId),
    };
  }
}

function withEtag(res: Response, row: IncidentRow): IncidentDto {
  res.setHeader('ETag', `"${row.version}"`);
  return toDto(row);
}

function toDto(row: IncidentRow): IncidentDto {
  // The author is in the audit log and the timeline; the resource itself does not expose key ids.
  const { createdBy, ...facts } = row;
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    ...facts,
    occurredFrom: iso(row.occurredFrom),
    occurredTo: iso(row.occurredTo),
    discoveredAt: row.discoveredAt.toISOString(),
    containedAt: iso(row.containedAt),
    chronology: row.chronology as ChronologyEntry[],
    allowedTransitions: [...allowedTransitions(row.state as IncidentState)],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toEventDto(row: IncidentEventRow): TimelineEventDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    kind: row.kind,
    fromState: row.fromState,
    toState: row.toState,
    note: row.note,
    actorKeyId: row.actorKeyId,
    details: row.details,
  };
}
