/** What a caller may do. Every /v1 route declares exactly one (see {@link Authorize}). */
export enum Permission {
  ApiKeyCreate = 'api_key.create',
  ApiKeyRead = 'api_key.read',
  ApiKeyRevoke = 'api_key.revoke',
  AuditRead = 'audit.read',
  IncidentCreate = 'incident.create',
  IncidentRead = 'incident.read',
  IncidentUpdate = 'incident.update',
  IncidentTransition = 'incident.transition',
  QueueDashboard = 'queue.dashboard',
}

export enum Role {
  Admin = 'admin',
  Responder = 'responder',
  Approver = 'approver',
  Auditor = 'auditor',
}

const READ: Permission[] = [Permission.IncidentRead];

/** The one role-to-permissions map. */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  [Role.Admin]: new Set(Object.values(Permission)),
  [Role.Responder]: new Set([
    ...READ,
    Permission.IncidentCreate,
    Permission.IncidentUpdate,
    Permission.IncidentTransition,
  ]),
  // Approvers read everything they may be asked to approve; approvals arrive with campaigns and reports.
  [Role.Approver]: new Set(READ),
  [Role.Auditor]: new Set([...READ, Permission.AuditRead]),
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
