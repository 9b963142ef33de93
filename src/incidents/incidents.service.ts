import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/config.js';
import { AppError, ErrorCode, FieldProblem } from '../common/errors.js';
import { allowedTransitions, canTransition, IncidentState } from './incident.lifecycle.js';
import { IncidentHistory } from './incident.history.js';
import { IncidentTransitionChecks } from './incident.transition-checks.js';
import { checkCategories, checkTimes } from './incident.rules.js';
import type { ChronologyEntry } from './regulator-text.js';
import type { CreateIncidentDto, TransitionDto, UpdateIncidentDto } from './incidents.dto.js';
import {
  IncidentChanges,
  IncidentEventRow,
  IncidentFilter,
  IncidentRow,
  IncidentsRepository,
} from './incidents.repository.js';

const DATE_FIELDS = ['occurredFrom', 'occurredTo', 'discoveredAt', 'containedAt'] as const;
const REQUIRED_FIELDS = ['title', 'discoveredAt'] as const;

@Injectable()
export class IncidentsService {
  private readonly recentlyRead = new Map<string, { at: number; incident: IncidentRow }>();

  constructor(
    private readonly repository: IncidentsRepository,
    private readonly history: IncidentHistory,
    private readonly checks: IncidentTransitionChecks,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, input: CreateIncidentDto): Promise<IncidentRow> {
    const facts = toChanges(input);
    this.check(facts);
    const now = this.clock.now();
    const fields = Object.keys(facts);
    return this.history.change(
      actor,
      async () => {
        const scope = `INC-${now.getUTCFullYear()}`;
        const number = await this.repository.nextNumber(scope);
        return this.repository.insert({
          ...facts,
          title: input.title,
          discoveredAt: new Date(input.discoveredAt),
          reference: `${scope}-${String(number).padStart(4, '0')}`,
          state: IncidentState.Detected,
          createdBy: actor.keyId,
          createdAt: now,
          updatedAt: now,
        });
      },
      (incident) => ({
        ...this.changeOf(incident.id, now, 'created', 'incident.create'),
        state: { from: null, to: incident.state },
        details: { fields },
        summary: { reference: incident.reference, fields },
      }),
    );
  }

  async get(id: string): Promise<IncidentRow> {
    const incident = await this.repository.findById(id);
    if (!incident) throw AppError.notFound('incident', id);
    return incident;
  }

  /**
   * The incident as this process read it at most 30 s ago: the send path reads it for every batch and the
   * notice pages for every reader, so a million notices or a rush of readers read it a few times.
   */
  async recent(id: string): Promise<IncidentRow> {
    const cached = this.recentlyRead.get(id);
    if (cached && Date.now() - cached.at < 30_000) return cached.incident;
    const incident = await this.get(id);
    this.recentlyRead.set(id, { at: Date.now(), incident });
    if (this.recentlyRead.size > 100) this.recentlyRead.delete(this.recentlyRead.keys().next().value!);
    return incident;
  }

  /** The incident as `recent` keeps it, without waiting; undefined once that is 30 s old (ask `recent`). */
  recentNow(id: string): IncidentRow | undefined {
    const cached = this.recentlyRead.get(id);
    return cached && Date.now() - cached.at < 30_000 ? cached.incident : undefined;
  }

  find(filter: IncidentFilter): Promise<IncidentRow[]> {
    return this.repository.find(filter);
  }

  /** Changes facts if the caller saw the latest version (If-Match); else 412 and nothing changes. */
  async update(
    actor: Actor,
    id: string,
    expectedVersion: number,
    input: UpdateIncidentDto,
  ): Promise<IncidentRow> {
    const nulled = REQUIRED_FIELDS.filter((field) => (input as Record<string, unknown>)[field] === null);
    if (nulled.length > 0) {
      throw AppError.invalid(
        nulled.map((field) => ({ field, rule: 'notNull', message: `${field} cannot be cleared` })),
      );
    }
    const changes = toChanges(input);
    const current = await this.get(id);
    if (current.version !== expectedVersion) throw AppError.stale('the incident', current.version);
    this.check({ ...current, ...changes });
    const fields = Object.keys(changes);
    if (fields.length === 0) return current;
    const now = this.clock.now();
    return this.history.change(
      actor,
      () => this.updateIfVersion(id, expectedVersion, { ...changes, updatedAt: now }),
      (updated) => ({
        ...this.changeOf(id, now, 'updated', 'incident.update'),
        details: { fields },
        summary: { fields, version: updated.version },
      }),
    );
  }

  async transition(actor: Actor, id: string, input: TransitionDto): Promise<IncidentRow> {
    const current = await this.get(id);
    const from = current.state as IncidentState;
    if (!canTransition(from, input.to)) {
      const allowed = allowedTransitions(from);
      throw new AppError(
        ErrorCode.InvalidTransition,
        `an incident in state ${from} cannot move to ${input.to}; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
        { from, to: input.to, allowed },
      );
    }
    if (input.to === IncidentState.Dismissed && !input.note?.trim()) {
      throw AppError.invalid([
        { field: 'note', rule: 'requiredToDismiss', message: 'note must say why the incident is dismissed' },
      ]);
    }
    if (input.to === IncidentState.Confirmed && !current.riskLevel) {
      throw new AppError(
        ErrorCode.InvalidTransition,
        'set riskLevel (with riskReasoning) before confirming the breach',
        {
          from,
          to: input.to,
          missing: ['riskLevel'],
        },
      );
    }
    await this.checks.run(current, input.to);
    const now = this.clock.now();
    return this.history.change(
      actor,
      () => this.updateIfVersion(id, current.version, { state: input.to, updatedAt: now }),
      () => ({
        ...this.changeOf(id, now, 'transition', 'incident.transition'),
        state: { from, to: input.to, note: input.note ?? null },
        summary: { from, to: input.to },
      }),
    );
  }

  async timeline(id: string, afterId: number, limit: number): Promise<IncidentEventRow[]> {
    await this.get(id);
    return this.repository.events(id, afterId, limit);
  }

  private check(facts: IncidentChanges): void {
    const problems: FieldProblem[] = [
      ...checkTimes(facts, this.clock.now()),
      ...checkCategories(facts.dataCategories ?? undefined, this.config.dataCategories),
    ];
    if (problems.length > 0) throw AppError.invalid(problems);
  }

  /** Someone else moved or edited it between the caller's read and this write: 412, to look again. */
  private async updateIfVersion(id: string, version: number, changes: IncidentChanges): Promise<IncidentRow> {
    const updated = await this.repository.updateIfVersion(id, version, changes);
    if (!updated) throw AppError.stale('the incident', (await this.get(id)).version);
    return updated;
  }

  private changeOf(id: string, at: Date, kind: string, action: string) {
    return { incidentId: id, at, kind, action, target: { type: 'incident', id } };
  }
}

/** The DTO's present fields as column values: ISO strings become Dates, null clears. */
function toChanges(input: Partial<CreateIncidentDto>): IncidentChanges {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    changes[key] =
      value !== null && (DATE_FIELDS as readonly string[]).includes(key) ? new Date(value as string) : value;
  }
  // Arrays are NOT NULL in the table: clearing one means emptying it.
  for (const key of ['nature', 'systems', 'dataCategories'] as const) {
    if (changes[key] === null) changes[key] = [];
  }
  for (const key of [
    'translations',
    'guardianWords',
    'massachusettsWords',
    'regulatorText',
    'regulatorTranslations',
  ] as const) {
    if (changes[key] === null) changes[key] = {};
  }
  if (changes.chronology === null) changes.chronology = [];
  if (changes.language === null) changes.language = 'en';
  // The story in the order it happened, each step with its instant as the API gives every date.
  if (Array.isArray(changes.chronology)) {
    changes.chronology = (changes.chronology as ChronologyEntry[])
      .map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
  return changes;
}
