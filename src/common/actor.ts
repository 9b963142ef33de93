import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from './permissions.js';

/** Who is acting: the API key, its role, and where the request came from. Recorded in the audit log. */
export interface Actor {
  keyId: string | null;
  role: Role | 'system';
  ip: string | null;
}

export const SYSTEM_ACTOR: Actor = { keyId: null, role: 'system', ip: null };

export type AuthenticatedRequest = Request & { actor?: Actor };

/** The authenticated caller, set by the auth guard. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw new Error('CurrentActor used on a route without authentication');
  return request.actor;
});
