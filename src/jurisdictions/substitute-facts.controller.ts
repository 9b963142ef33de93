import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { AppError } from '../common/errors.js';
import { IncidentIdParam } from '../incidents/incident-id.pipe.js';
import { Permission } from '../common/permissions.js';
import { ObligationsService } from './obligations.service.js';
import { PublicNoticeObligations } from './public-notice-obligations.js';
import { SubstituteFactsDto } from './substitute-facts.dto.js';

@ApiTags('obligations')
@ApiNotFoundResponse({ description: 'No such incident' })
@Controller('v1')
export class SubstituteFactsController {
  constructor(
    private readonly facts: PublicNoticeObligations,
    private readonly obligations: ObligationsService,
  ) {}

  @Get('incidents/:id/substitute-facts')
  @Authorize(Permission.ObligationRead)
  @ApiOperation({
    summary:
      "The responders' facts for a substitute notice: the cost of individual notice, a decision of disproportionate effort",
  })
  @ApiOkResponse({ type: SubstituteFactsDto })
  async get(@IncidentIdParam() id: string): Promise<SubstituteFactsDto> {
    return this.facts.decision(id);
  }

  @Put('incidents/:id/substitute-facts')
  @Authorize(Permission.ObligationMeet)
  @ApiOperation({
    summary: 'Record the facts the law weighs for a substitute notice that the service cannot know',
    description:
      'The obligations are recomputed: a public-notice obligation is raised where a rule now asks for one.',
  })
  @ApiOkResponse({ type: SubstituteFactsDto })
  async put(
    @CurrentActor() actor: Actor,
    @IncidentIdParam() id: string,
    @Body() body: SubstituteFactsDto,
  ): Promise<SubstituteFactsDto> {
    if (body.disproportionateEffort && !body.reason?.trim()) {
      throw AppError.invalid([
        {
          field: 'reason',
          rule: 'isNotEmpty',
          message: 'reason must say why, with a decision of disproportionate effort',
        },
      ]);
    }
    const saved = await this.facts.decide(actor, id, {
      estimatedCostUsd: body.estimatedCostUsd ?? null,
      disproportionateEffort: body.disproportionateEffort,
      reason: body.reason ?? null,
    });
    await this.obligations.recompute(id);
    return saved;
  }
}
