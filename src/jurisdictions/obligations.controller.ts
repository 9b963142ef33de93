import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { uuidParam } from '../common/params.js';
import { IncidentIdParam } from '../incidents/incident-id.pipe.js';
import { Permission } from '../common/permissions.js';
import {
  MeetObligationDto,
  ObligationDto,
  ObligationListDto,
  WaiveObligationDto,
} from './obligations.dto.js';
import { ObligationsService, type ObligationView } from './obligations.service.js';

@ApiTags('obligations')
@ApiNotFoundResponse({ description: 'No such incident or obligation' })
@Controller('v1')
export class ObligationsController {
  constructor(private readonly obligations: ObligationsService) {}

  @Get('incidents/:id/obligations')
  @Authorize(Permission.ObligationRead)
  @ApiOperation({
    summary: 'Who must be told, what, by when, and why, per jurisdiction of the affected set',
    description:
      'Recomputed from the current facts, scope and notices; each change goes on the timeline with the rule version. A jurisdiction without a rule gets an obligation to decide by hand.',
  })
  @ApiOkResponse({ type: ObligationListDto })
  async list(@IncidentIdParam() id: string): Promise<ObligationListDto> {
    return { items: (await this.obligations.list(id)).map(toDto) };
  }

  @Post('obligations/:id/met')
  @HttpCode(200)
  @Authorize(Permission.ObligationMeet)
  @ApiOperation({ summary: 'Record that an obligation was met outside the service' })
  @ApiOkResponse({ type: ObligationDto })
  async meet(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: MeetObligationDto,
  ): Promise<ObligationDto> {
    return toDto(await this.obligations.meet(actor, id, new Date(body.at), body.note));
  }

  @Post('obligations/:id/waive')
  @HttpCode(200)
  @Authorize(Permission.ObligationWaive)
  @ApiOperation({ summary: 'Waive an obligation, with the reason' })
  @ApiOkResponse({ type: ObligationDto })
  async waive(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam('id')) id: string,
    @Body() body: WaiveObligationDto,
  ): Promise<ObligationDto> {
    return toDto(await this.obligations.waive(actor, id, body.reason));
  }
}

function toDto(view: ObligationView): ObligationDto {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: view.id,
    key: view.key,
    state: view.state,
    late: view.late,
    audience: view.audience,
    regulatorId: view.regulatorId,
    recipient: view.recipient,
    phase: view.phase,
    what: view.what,
    deadline: view.deadline,
    clockStartedAt: iso(view.clockStartedAt),
    dueAt: iso(view.dueAt),
    applicable: view.applicable,
    reason: view.reason,
    jurisdictions: view.jurisdictions,
    ruleId: view.ruleId,
    ruleVersion: view.ruleVersion,
    law: view.law,
    sources: view.sources,
    facts: view.facts,
    metAt: iso(view.metAt),
    metBy: view.metBy ?? null,
    unreached: view.unreached ?? null,
    notIndividuallyNotified: view.notIndividuallyNotified ?? null,
    waivedAt: iso(view.waivedAt),
    waivedReason: view.waivedReason,
    computedAt: view.computedAt.toISOString(),
  };
}
