import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Actor, AuthenticatedRequest } from '../common/actor.js';
import { PERMISSION_KEY, PUBLIC_KEY } from '../common/authorize.decorator.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { hasPermission, Permission } from '../common/permissions.js';
import { ApiKeysService } from './api-keys.service.js';

/** Reads `Authorization: Bearer <key>`. Also used by the queue dashboard's own middleware. */
export function bearerSecret(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Global: every route is closed unless it is @Public() or declares an @Authorize(permission). A route with
 * neither fails closed (and a test walks every route to prove there is none).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (!permission)
      throw new Error(`route ${context.getClass().name}.${context.getHandler().name} declares no permission`);

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.actor = await authorize(
      this.keys,
      bearerSecret(request.headers.authorization),
      request.ip,
      permission,
    );
    return true;
  }
}

/** The actor behind a presented secret, if it may do `permission`; else a 401 or 403. Shared with the dashboard. */
export async function authorize(
  keys: ApiKeysService,
  secret: string | undefined,
  ip: string | undefined,
  permission: Permission,
): Promise<Actor> {
  if (!secret)
    throw new AppError(ErrorCode.Unauthenticated, 'an API key is required: Authorization: Bearer <key>');
  const actor = await keys.authenticate(secret, ip ?? null);
  if (!actor) throw new AppError(ErrorCode.Unauthenticated, 'the API key is unknown, revoked or expired');
  if (actor.role === 'system' || !hasPermission(actor.role, permission)) {
    throw new AppError(ErrorCode.Forbidden, `the role ${actor.role} may not ${permission}`);
  }
  return actor;
}
