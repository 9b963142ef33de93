import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/errors.js';
import { IncidentState } from '../incidents/incident.lifecycle.js';
import { IncidentTransitionChecks } from '../incidents/incident.transition-checks.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { ObligationState, ObligationsService } from './obligations.service.js';

/** What stands in the way of a close: an obligation neither met, waived, withdrawn nor not applicable. */
const OPEN: ReadonlySet<string> = new Set([ObligationState.Due, ObligationState.Missed]);

/**
 * An incident is not closed while the law still asks something of it: each obligation due (or missed,
 * which the law still asks late) is met or waived first, with a reason an approver gives. A close that
 * forgot a regulator would hide the very deadline the service exists to keep.
 */
@Injectable()
export class ObligationsCloseCheck implements OnModuleInit {
  constructor(
    private readonly checks: IncidentTransitionChecks,
    private readonly obligations: ObligationsService,
  ) {}

  onModuleInit(): void {
    this.checks.add((incident, to) => this.check(incident, to));
  }

  private async check(incident: IncidentRow, to: IncidentState): Promise<void> {
    if (to !== IncidentState.Closed) return;
    const open = (await this.obligations.list(incident.id)).filter((o) => OPEN.has(o.state));
    if (open.length === 0) return;
    throw new AppError(
      ErrorCode.Conflict,
      `${open.length} obligation(s) of the incident are still ${[...new Set(open.map((o) => o.state))].join(' or ')}: ` +
        `${open.map((o) => o.key).join(', ')}. Meet each (POST /v1/obligations/{id}/met) or have an ` +
        'approver waive it (POST /v1/obligations/{id}/waive) before closing',
      {
        obligations: open.map((o) => ({
          id: o.id,
          key: o.key,
          recipient: o.recipient,
          state: o.state,
          dueAt: o.dueAt?.toISOString() ?? null,
        })),
      },
    );
  }
}
