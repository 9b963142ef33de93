import { hasPermission, Permission, Role, ROLE_PERMISSIONS } from './permissions.js';

describe('role-to-permission map', () => {
  it('admin may do everything', () => {
    for (const permission of Object.values(Permission))
      expect(hasPermission(Role.Admin, permission)).toBe(true);
  });

  it('only admins manage keys and see the queue dashboard', () => {
    for (const role of [Role.Responder, Role.Approver, Role.Auditor]) {
      for (const p of [
        Permission.ApiKeyCreate,
        Permission.ApiKeyRead,
        Permission.ApiKeyRevoke,
        Permission.QueueDashboard,
      ]) {
        expect(hasPermission(role, p)).toBe(false);
      }
    }
  });

  it('approvers and auditors change nothing; only auditors (and admins) read the audit log', () => {
    const writes = [Permission.IncidentCreate, Permission.IncidentUpdate, Permission.IncidentTransition];
    for (const role of [Role.Approver, Role.Auditor])
      for (const p of writes) expect(hasPermission(role, p)).toBe(false);
    expect([...Object.values(Role)].filter((r) => hasPermission(r, Permission.AuditRead)).sort()).toEqual([
      Role.Admin,
      Role.Auditor,
    ]);
  });

  it('every role can read incidents', () => {
    for (const role of Object.keys(ROLE_PERMISSIONS) as Role[])
      expect(hasPermission(role, Permission.IncidentRead)).toBe(true);
  });

  it('public notices: responders draft and publish, approvers approve, everyone reads', () => {
    expect(hasPermission(Role.Responder, Permission.PublicNoticeWrite)).toBe(true);
    expect(hasPermission(Role.Responder, Permission.PublicNoticeApprove)).toBe(false);
    expect(hasPermission(Role.Approver, Permission.PublicNoticeApprove)).toBe(true);
    expect(hasPermission(Role.Approver, Permission.PublicNoticeWrite)).toBe(false);
    for (const role of Object.keys(ROLE_PERMISSIONS) as Role[])
      expect(hasPermission(role, Permission.PublicNoticeRead)).toBe(true);
  });
});
