import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { Permission } from '../common/permissions.js';
import { RegisterDto, RegisterQueryDto } from './register.dto.js';
import { RegisterService } from './register.service.js';

@ApiTags('register')
@Controller('v1/register')
export class RegisterController {
  constructor(private readonly register: RegisterService) {}

  @Get()
  @Authorize(Permission.RegisterRead)
  @ApiOperation({
    summary: 'The breach register: every incident, notified or not, with its decisions (audited)',
    description:
      'What GDPR Art. 33(5), UK GDPR, PIPEDA s 10.3, Quebec s 3.8, the LGPD and Florida ask to keep: the facts, the effects, the remedial action and each decision with its reasons, per jurisdiction and period of awareness, with how long the law keeps it. JSON or CSV (`format=csv`).',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: RegisterDto })
  async export(
    @CurrentActor() actor: Actor,
    @Query() query: RegisterQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RegisterDto | string> {
    const result = await this.register.export(actor, query);
    if (result.csv !== null) {
      const name = `register-${result.jurisdiction ?? 'all'}-${result.from.toISOString().slice(0, 10)}-${result.to.toISOString().slice(0, 10)}.csv`;
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
      return result.csv;
    }
    return {
      jurisdiction: result.jurisdiction,
      from: result.from.toISOString(),
      to: result.to.toISOString(),
      items: result.entries,
    };
  }
}
