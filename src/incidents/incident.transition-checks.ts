import { Injectable } from '@nestjs/common';
import type { IncidentState } from './incident.lifecycle.js';
import type { IncidentRow } from './incidents.repository.js';

/** Refuses (throws an AppError) a move of `incident` to `to` that another part of the service forbids. */
export type TransitionCheck = (incident: IncidentRow, to: IncidentState) => Promise<void>;

/**
 * Checks that modules above incidents add to its state moves (obligations refuse a close while any is
 * due): they import incidents, and incidents imports none of them, so they register here at start.
 */
@Injectable()
export class IncidentTransitionChecks {
  private readonly checks: TransitionCheck[] = [];

  add(check: TransitionCheck): void {
    this.checks.push(check);
  }

  async run(incident: IncidentRow, to: IncidentState): Promise<void> {
    for (const check of this.checks) await check(incident, to);
  }
}
