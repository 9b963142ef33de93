import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '../../common/actor.js';
import { Authorize } from '../../common/authorize.decorator.js';
import { Permission } from '../../common/permissions.js';
import { OutboxPageDto, OutboxQueryDto } from './outbox.dto.js';
import { OutboxService } from './outbox.service.js';

@ApiTags('outbox')
@Controller('v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @Authorize(Permission.OutboxRead)
  @ApiOperation({
    summary: 'Messages the local outbox transport took, as they would have been sent (audited read)',
    description: 'Channels with no provider account send here. Newest first.',
  })
  @ApiOkResponse({ type: OutboxPageDto })
  page(@CurrentActor() actor: Actor, @Query() query: OutboxQueryDto): Promise<OutboxPageDto> {
    return this.outbox.page(
      actor,
      query.channel,
      query.before ? Number(query.before) : undefined,
      Number(query.limit ?? 50),
    );
  }
}
