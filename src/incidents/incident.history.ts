import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { DatabaseService } from '../database/database.service.js';
import { IncidentsRepository } from './incidents.repository.js';

/** A change of an incident or of something of its (a report, a scope, a campaign), as its history says it. */
export interface IncidentChange {
  incidentId: string;
  at: Date;
  /** The timeline's kind of event: `transition`, `report.approved`... */
  kind: string;
  /** The audit log's action: `incident.transition`, `report.approve`... */
  action: string;
  /** What the audit record is about: the incident, or the thing of its that changed. */
  target: { type: string; id: string };
  /** Kept on the timeline, and in the audit record unless `summary` is given. */
  details?: Record<string, unknown>;
  /** The audit record's summary, where it says more than the timeline. */
  summary?: Record<string, unknown>;
  /** A move of the incident's own state (from null: its first), with the responder's note. */
  state?: { from: string | null; to: string; note?: string | null };
}

/**
 * An incident's history: every change lands on its timeline and in the audit log, in the transaction of the
 * change itself, so neither ever tells of a change that did not commit, nor misses one that did.
 */
@Injectable()
export class IncidentHistory {
  constructor(
    private readonly database: DatabaseService,
    private readonly incidents: IncidentsRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * Moves a row and says so, in one transaction (the caller's when inside one): `move` writes and returns
   * what changed, or throws when it cannot (the row changed meanwhile), and then nothing is recorded.
   */
  async change<T>(actor: Actor, move: () => Promise<T>, describe: (moved: T) => IncidentChange): Promise<T> {
    return this.database.transaction(async () => {
      const moved = await move();
      await this.record(actor, describe(moved));
      return moved;
    });
  }

  /** The timeline's event and the audit record of a change made in the caller's transaction. */
  async record(actor: Actor, change: IncidentChange): Promise<void> {
    await this.incidents.addEvent({
      incidentId: change.incidentId,
      at: change.at,
      kind: change.kind,
      fromState: change.state?.from ?? null,
      toState: change.state?.to ?? null,
      note: change.state?.note ?? null,
      actorKeyId: actor.keyId,
      details: change.details ?? {},
    });
    await this.audit.record(actor, {
      action: change.action,
      targetType: change.target.type,
      targetId: change.target.id,
      summary: change.summary ?? change.details ?? {},
    });
  }
}
