import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentActor, type Actor } from '../common/actor.js';
import { Authorize } from '../common/authorize.decorator.js';
import { uuidParam } from '../common/params.js';
import { Permission, Role } from '../common/permissions.js';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-keys.dto.js';
import { ApiBodyExample } from '../common/openapi-examples.js';
import { ApiKeysService } from './api-keys.service.js';

@ApiTags('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Authorize(Permission.ApiKeyCreate)
  @ApiOperation({ summary: 'Create an API key; the secret is in this answer only' })
  // Without expiresAt: an example's expiry would one day be in the past.
  @ApiBodyExample(
    CreateApiKeyDto,
    {
      name: 'On-call responder',
      role: Role.Responder,
      holder: 'ana.lima@example.com',
    } satisfies CreateApiKeyDto,
    "A responder's key",
  )
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@CurrentActor() actor: Actor, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { key, secret } = await this.keys.create(actor, {
      name: body.name,
      role: body.role,
      holder: body.holder,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
    });
    return {
      id: key.id,
      name: key.name,
      role: key.role,
      holder: key.holder,
      expiresAt: key.expiresAt?.toISOString() ?? null,
      key: secret,
    };
  }

  @Get()
  @Authorize(Permission.ApiKeyRead)
  @ApiOperation({ summary: 'List API keys (never their secrets)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  async list(): Promise<ApiKeyDto[]> {
    return (await this.keys.list()).map((row) => ApiKeyDto.from(row));
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize(Permission.ApiKeyRevoke)
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  async revoke(@CurrentActor() actor: Actor, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.keys.revoke(actor, id);
  }
}
