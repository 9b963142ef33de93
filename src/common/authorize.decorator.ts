import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Permission } from './permissions.js';

export const PERMISSION_KEY = 'permission';
export const PUBLIC_KEY = 'public';

/** The permission a route needs. The guard refuses any /v1 route that declares none. */
export function Authorize(permission: Permission): MethodDecorator {
  return applyDecorators(
    SetMetadata(PERMISSION_KEY, permission),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, unknown, revoked or expired API key' }),
    ApiForbiddenResponse({ description: `The key's role lacks \`${permission}\`` }),
  );
}

/** A route anyone may call (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);
