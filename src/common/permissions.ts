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
  /** Add and update people of the directory (bulk upsert, imports). */
  SubjectWrite = 'subject.write',
  /** Read a person's contact data, decrypted (audited). */
  SubjectRead = 'subject.read',
  /** Erase a person for good. */
  SubjectErase = 'subject.erase',
  /** See imports' progress and rejected lines (no personal data). */
  ImportRead = 'subject_import.read',
  /** Preview and freeze an incident's affected set; upload id lists. */
  ScopeWrite = 'scope.write',
  /** See scope runs and their counts (no personal data). */
  ScopeRead = 'scope.read',
  /** List and export the affected people of an incident (audited). */
  AffectedRead = 'affected.read',
  /** Draft, pause, resume and cancel notice campaigns. */
  CampaignWrite = 'campaign.write',
  /** See campaigns, their progress and previews (sample data only). */
  CampaignRead = 'campaign.read',
  /** Approve a campaign drafted by someone else; sending starts. */
  CampaignApprove = 'campaign.approve',
  /** Read the local outbox: messages as they would have been sent, with addresses (audited). */
  OutboxRead = 'outbox.read',
  /** See an incident's obligations: who must be told, by when, and why. */
  ObligationRead = 'obligation.read',
  /** Record that an obligation was met outside the service (a call to a regulator, a letter to CRAs). */
  ObligationMeet = 'obligation.meet',
  /** Waive an obligation with a reason (a legal decision: DPO or counsel). */
  ObligationWaive = 'obligation.waive',
  /** Generate regulator reports and record that they were filed. */
  ReportWrite = 'report.write',
  /** Read regulator reports (JSON, HTML, PDF). */
  ReportRead = 'report.read',
  /** Approve a report drafted by someone else. */
  ReportApprove = 'report.approve',
  /** Export the breach register: every incident with its decisions, no personal data (audited). */
  RegisterRead = 'register.read',
  /** Draft, edit, publish and withdraw public Security Notices. */
  PublicNoticeWrite = 'public_notice.write',
  /** See public notices, their drafts, versions and previews (no personal data). */
  PublicNoticeRead = 'public_notice.read',
  /** Approve a public notice drafted by someone else. */
  PublicNoticeApprove = 'public_notice.approve',
}

export enum Role {
  Admin = 'admin',
  Responder = 'responder',
  Approver = 'approver',
  Auditor = 'auditor',
}

const READ: Permission[] = [
  Permission.IncidentRead,
  Permission.ScopeRead,
  Permission.ImportRead,
  Permission.CampaignRead,
  Permission.ObligationRead,
  Permission.ReportRead,
  Permission.RegisterRead,
  Permission.PublicNoticeRead,
];

/** The one role-to-permissions map. */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  [Role.Admin]: new Set(Object.values(Permission)),
  [Role.Responder]: new Set([
    ...READ,
    Permission.IncidentCreate,
    Permission.IncidentUpdate,
    Permission.IncidentTransition,
    Permission.SubjectWrite,
    Permission.SubjectRead,
    Permission.ScopeWrite,
    Permission.AffectedRead,
    Permission.CampaignWrite,
    Permission.ObligationMeet,
    Permission.ReportWrite,
    Permission.PublicNoticeWrite,
  ]),
  // Approvers read everything they may be asked to approve; approvals arrive with campaigns and reports.
  // Erasure is for admins (the privacy team answering a data subject's request).
  [Role.Approver]: new Set([
    ...READ,
    Permission.AffectedRead,
    Permission.CampaignApprove,
    Permission.ReportApprove,
    Permission.PublicNoticeApprove,
    Permission.ObligationWaive,
  ]),
  [Role.Auditor]: new Set([...READ, Permission.AuditRead]),
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
