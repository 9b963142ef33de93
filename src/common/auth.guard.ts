import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { AuthenticatedRequest } from './actor.js';
import { PERMISSION_KEY, PUBLIC_KEY } from './authorize.decorator.js';
import { AppError, ErrorCode } from './errors.js';
import { hasPermission, Permission } from './permissions.js';

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
    const secret = bearerSecret(request.headers.authorization);
    if (!secret)
      throw new AppError(ErrorCode.Unauthenticated, 'an API key is required: Authorization: Bearer <key>');
    const actor = await this.keys.authenticate(secret, request.ip ?? null);
    if (!actor) throw new AppError(ErrorCode.Unauthenticated, 'the API key is unknown, revoked or expired');
    if (actor.role === 'system' || !hasPermission(actor.role, permission)) {
      throw new AppError(ErrorCode.Forbidden, `the role ${actor.role} may not ${permission}`);
    }
    request.actor = actor;
    return true;
  }
}
