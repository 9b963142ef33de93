import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Actor } from '../common/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode, FieldProblem, messageOf, withoutParams } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import { IncidentHistory } from '../incidents/incident.history.js';
import { IncidentState } from '../incidents/incident.lifecycle.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { isKnownJurisdiction, jurisdictionRule } from '../jurisdictions/codes.js';
import { ReachRepository, type ReachPerson } from '../jurisdictions/reach.repository.js';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, JobPayload } from '../queue/queue.catalogue.js';
import { Criteria, frozenSource, previewSource } from './scope.sql.js';
import {
  AffectedFilter,
  AffectedRow,
  IdListRow,
  ScopeCounts,
  ScopeRunRow,
  ScopingRepository,
  affectedConditions,
} from './scoping.repository.js';
import { EXTERNAL_ID, EXTERNAL_ID_RULE, isEmailAddress } from '../subjects/subject.validation.js';

export interface ScopePreview extends ScopeCounts {
  unmatchedIds: { count: number; sample: string[] };
}

export enum ScopeRunStatus {
  Queued = 'queued',
  Running = 'running',
  Completed = 'completed',
  Failed = 'failed',
}

/** An id list with an email address in it: refused whole, naming the line and never the address. */
const emailInList = (line: number): AppError =>
  AppError.invalid([
    {
      field: 'body',
      rule: 'notContactData',
      message: `line ${line} is an email address: an id list holds external ids (the app's user ids), never contact data; find people by email with POST /v1/subjects/lookup`,
    },
  ]);

const FINISHED_RUNS = new Set<string>([ScopeRunStatus.Completed, ScopeRunStatus.Failed]);
/** A set cannot be frozen for an incident that is over. */
const FROZEN_STATES = new Set<string>([IncidentState.Closed, IncidentState.Dismissed]);
const ID_BATCH = 10_000;
const INVALID_LINES_KEPT = 100;

@Injectable()
export class ScopingService {
  private readonly logger = new Logger(ScopingService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: ScopingRepository,
    private readonly reach: ReachRepository,
    private readonly incidents: IncidentsService,
    private readonly timeline: IncidentsRepository,
    private readonly history: IncidentHistory,
    private readonly jobs: JobRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Counts what a scope would hold, without writing anything. */
  async preview(incidentId: string, criteria: Criteria): Promise<ScopePreview> {
    const incident = await this.incidents.get(incidentId);
    await this.check(incidentId, criteria);
    const [counts, unmatchedIds] = await Promise.all([
      this.repository.counts(previewSource(criteria, this.exposure(incident.dataCategories, criteria))),
      this.repository.unmatchedIds(criteria),
    ]);
    return { ...counts, unmatchedIds };
  }

  /** Queues the freeze of the affected set; one at a time per incident (409 while one runs). */
  async freeze(actor: Actor, incidentId: string, criteria: Criteria): Promise<ScopeRunRow> {
    const incident = await this.incidents.get(incidentId);
    if (FROZEN_STATES.has(incident.state)) {
      throw new AppError(
        ErrorCode.Conflict,
        `the incident is ${incident.state}: its affected set cannot change`,
      );
    }
    await this.check(incidentId, criteria);
    const queued = await this.database.transaction(async () => {
      const run = await this.repository.createRun({
        incidentId,
        status: ScopeRunStatus.Queued,
        criteria: JSON.parse(JSON.stringify(criteria)) as Record<string, unknown>,
        createdBy: actor.keyId,
        createdAt: this.clock.now(),
      });
      if (!run) {
        throw new AppError(
          ErrorCode.Conflict,
          'a scope of this incident is being frozen; wait for it to finish',
          {
            incidentId,
          },
        );
      }
      await this.audit.record(actor, {
        action: 'scope.freeze.request',
        targetType: 'incident',
        targetId: incidentId,
        summary: { scopeRunId: run.id, criteria: Object.keys(criteria) },
      });
      return run;
    });
    // Queued once committed, so the worker finds the run; if this fails, the sweep queues it.
    await this.enqueue(queued.id);
    return queued;
  }

  /** Every minute: scope runs waiting or running get their job again (same id: a live job is left alone). */
  @OnJob(JobName.ScopeSweep)
  async sweep(): Promise<{ requeued: number }> {
    const waiting = await this.repository.unfinishedRuns();
    for (const id of waiting) await this.enqueue(id);
    return { requeued: waiting.length };
  }

  private async enqueue(scopeRunId: string): Promise<void> {
    await this.jobs.add(JobName.ScopeFreeze, { scopeRunId }, { jobId: `scope-${scopeRunId}` });
  }

  /**
   * Freezes the set in one transaction, so it is never seen half-made. Before any notice went out a new
   * scope replaces the set; after, it only adds people (supplementary) and reports those it no longer
   * matches, who stay.
   */
  @OnJob(JobName.ScopeFreeze)
  async runFreeze(payload: JobPayload<JobName.ScopeFreeze>, job?: Job): Promise<Record<string, unknown>> {
    const run = await this.repository.findRun(payload.scopeRunId);
    if (!run || FINISHED_RUNS.has(run.status)) {
      return { skipped: run?.status ?? 'missing' };
    }
    await this.repository.updateRun(run.id, { status: ScopeRunStatus.Running, startedAt: this.clock.now() });
    try {
      const done = await this.freezeNow(run);
      return { kind: done.kind, total: done.total, added: done.added, removed: done.removed };
    } catch (err) {
      const lastAttempt = !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!lastAttempt) throw err;
      this.logger.error({ scopeRunId: run.id, err: withoutParams(err) }, 'scope freeze failed');
      await this.repository.updateRun(run.id, {
        status: ScopeRunStatus.Failed,
        error: err instanceof AppError ? err.message : 'the freeze failed; see the service log',
        finishedAt: this.clock.now(),
      });
      return { failed: true };
    }
  }

  private async freezeNow(run: ScopeRunRow): Promise<ScopeRunRow> {
    const criteria = run.criteria as Criteria;
    const freeze = async () => {
      // One freeze of a set at a time (the incident's row), none beside an erasure (the advisory lock).
      await this.timeline.lockIncident(run.incidentId);
      await this.repository.lockAffectedSets();
      const incident = await this.incidents.get(run.incidentId);
      if (FROZEN_STATES.has(incident.state)) {
        throw new AppError(
          ErrorCode.Conflict,
          `the incident is ${incident.state}: its affected set cannot change`,
        );
      }
      const before = await this.repository.setState(run.incidentId);
      // Replaced only while nothing stands on it: once a campaign is approved its deliveries point at the
      // set's rows (who they notify, what of theirs was exposed), even before the first notice leaves.
      const kind =
        before.size === 0 && before.completedRuns === 0
          ? 'initial'
          : before.notified > 0 || before.campaigns > 0
            ? 'supplementary'
            : 'replacement';
      const outside =
        before.size > 0 ? await this.repository.countOutsideCriteria(run.incidentId, criteria) : 0;
      if (kind === 'replacement') await this.repository.clearSet(run.incidentId);
      const now = this.clock.now();
      const inserted = await this.repository.addMatching(
        run.incidentId,
        run.id,
        criteria,
        this.exposure(incident.dataCategories, criteria),
        now,
      );
      // A replacement re-inserts those who stay: only the difference counts as added or removed.
      const removed = kind === 'replacement' ? outside : 0;
      const added = kind === 'replacement' ? inserted - (before.size - outside) : inserted;
      const counts = await this.repository.counts(frozenSource(run.incidentId));
      const done = await this.repository.updateRun(run.id, {
        status: ScopeRunStatus.Completed,
        kind,
        total: counts.total,
        added,
        removed,
        keptOutsideCriteria: kind === 'supplementary' ? outside : null,
        counts: counts as unknown as Record<string, unknown>,
        finishedAt: now,
      });
      const details = {
        scopeRunId: run.id,
        kind,
        total: counts.total,
        added,
        removed,
        ...(kind === 'supplementary' ? { keptOutsideCriteria: outside } : {}),
      };
      // The freeze is more than one write: its history is recorded here, in its transaction.
      await this.history.record(
        { keyId: run.createdBy, role: 'system', ip: null },
        {
          incidentId: run.incidentId,
          at: now,
          kind: 'scope.frozen',
          action: 'scope.freeze',
          target: { type: 'incident', id: run.incidentId },
          details,
        },
      );
      return done!;
    };
    // Set-based over the whole directory: the bulk statement limit (a freeze at a million: under 15 s).
    return this.database.transaction(freeze, { bulk: true });
  }

  async latestRun(incidentId: string): Promise<ScopeRunRow> {
    await this.incidents.get(incidentId);
    const run = await this.repository.latestRun(incidentId);
    if (!run) throw new AppError(ErrorCode.NotFound, `incident ${incidentId} has no scope yet`);
    return run;
  }

  /** Stores a file of external ids (one per line; a CSV's first column; an `externalId` header is skipped). */
  async uploadIdList(
    actor: Actor,
    incidentId: string,
    name: string | null,
    body: Readable,
  ): Promise<IdListRow & { invalidLines: number; invalidLineNumbers: number[] }> {
    await this.incidents.get(incidentId);
    const list = await this.repository.createIdList(incidentId, name, actor.keyId);
    const decoder = new StringDecoder('utf8');
    const invalidLineNumbers: number[] = [];
    let invalidLines = 0;
    let line = 0;
    let pending = '';
    let batch: string[] = [];
    let bytes = 0;
    const take = (text: string) => {
      line += 1;
      const id = (text.split(',')[0] ?? '').trim().replace(/^"(.*)"$/, '$1');
      if (id === '' || (line === 1 && /^external_?id$/i.test(id))) return;
      // The items are stored in clear and shown to auditors: an address is refused, never stored, as the
      // directory refuses an email-shaped externalId (which no person there can have).
      if (isEmailAddress(id)) throw emailInList(line);
      if (EXTERNAL_ID.test(id)) batch.push(id);
      else {
        invalidLines += 1;
        if (invalidLineNumbers.length < INVALID_LINES_KEPT) invalidLineNumbers.push(line);
      }
    };
    // A list is all of its upload or nothing: one refused, or whose upload failed, leaves no rows.
    let finished: IdListRow;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > this.config.importMaxBytes) {
          body.resume();
          throw new AppError(ErrorCode.PayloadTooLarge, 'the id list is larger than IMPORT_MAX_BYTES');
        }
        const lines = (pending + decoder.write(chunk)).split(/\r?\n/);
        pending = lines.pop() ?? '';
        if (pending.length > 1024) pending = pending.slice(0, 1024);
        lines.forEach(take);
        if (batch.length >= ID_BATCH) {
          await this.repository.addIdListItems(list.id, batch);
          batch = [];
        }
      }
      const rest = pending + decoder.end();
      if (rest !== '') take(rest);
      await this.repository.addIdListItems(list.id, batch);
      finished = await this.repository.finishIdList(list.id);
      if (finished.count === 0) {
        throw AppError.invalid([
          {
            field: 'body',
            rule: 'hasExternalIds',
            message: `the id list holds no valid external id (${invalidLines} line(s) refused: ${EXTERNAL_ID_RULE})`,
          },
        ]);
      }
    } catch (err) {
      // The rest of an upload refused part-way is read and dropped, so the caller gets the answer.
      body.resume();
      // What went wrong is the answer; a list that could not be dropped as well is logged.
      await this.repository.dropIdList(list.id).catch((dropped: unknown) => {
        this.logger.error(
          { idListId: list.id, err: messageOf(dropped) },
          'a refused id list was not dropped',
        );
      });
      throw err;
    }
    await this.audit.record(actor, {
      action: 'scope.id_list.create',
      targetType: 'incident',
      targetId: incidentId,
      summary: { idListId: list.id, count: finished.count, invalidLines },
    });
    return { ...finished, invalidLines, invalidLineNumbers };
  }

  /** A page of the affected set; a read of personal data, audited. */
  async affected(
    actor: Actor,
    incidentId: string,
    filter: AffectedFilter,
    afterId: number,
    limit: number,
  ): Promise<ReachPerson[]> {
    await this.incidents.get(incidentId);
    const rows = await this.reach.list(incidentId, {
      outcome: filter.outcome,
      after: afterId,
      limit,
      where: affectedConditions(filter),
    });
    await this.audit.record(actor, {
      action: 'affected.read',
      targetType: 'incident',
      targetId: incidentId,
      summary: {
        filters: usedFilters(filter),
        rows: rows.length,
      },
    });
    return rows;
  }

  /**
   * The whole affected set, page by page, for a CSV export. The export is audited before the first byte
   * leaves, so an interrupted download is on record too.
   */
  async *exportAffected(
    actor: Actor,
    incidentId: string,
    filter: AffectedFilter,
  ): AsyncIterable<AffectedRow[]> {
    await this.incidents.get(incidentId);
    await this.audit.record(actor, {
      action: 'affected.export',
      targetType: 'incident',
      targetId: incidentId,
      summary: {
        filters: usedFilters(filter),
        format: 'csv',
      },
    });
    let afterId = 0;
    for (;;) {
      const rows = await this.repository.affected(incidentId, filter, afterId, 5_000);
      if (rows.length === 0) return;
      yield rows;
      afterId = rows.at(-1)!.id;
    }
  }

  /** The categories that count as exposed: the incident's, else the criteria's, else everything the person has. */
  private exposure(incidentCategories: readonly string[], criteria: Criteria): readonly string[] {
    return incidentCategories.length > 0 ? incidentCategories : (criteria.dataCategories ?? []);
  }

  /** Checks what the DTO cannot: known codes and categories, lists of this incident, not an empty scope. */
  private async check(incidentId: string, criteria: Criteria): Promise<void> {
    const problems: FieldProblem[] = [];
    const categories = new Set(this.config.dataCategories);
    const checkCategories = (field: string, values?: string[]) =>
      values?.forEach((value, i) => {
        if (!categories.has(value)) {
          problems.push({
            field: `${field}.${i}`,
            rule: 'isKnownCategory',
            message: `${field}.${i} is not a configured data category`,
          });
        }
      });
    const checkJurisdictions = (field: string, values?: string[]) =>
      values?.forEach((value, i) => {
        if (!isKnownJurisdiction(value.toUpperCase())) {
          problems.push({
            field: `${field}.${i}`,
            rule: 'isJurisdiction',
            message: jurisdictionRule(`${field}.${i}`, value),
          });
        }
      });
    checkCategories('criteria.dataCategories', criteria.dataCategories);
    checkCategories('criteria.exclude.dataCategories', criteria.exclude?.dataCategories);
    checkJurisdictions('criteria.jurisdictions', criteria.jurisdictions);
    checkJurisdictions('criteria.exclude.jurisdictions', criteria.exclude?.jurisdictions);
    for (const [field, listId] of [
      ['criteria.idListId', criteria.idListId],
      ['criteria.exclude.idListId', criteria.exclude?.idListId],
    ] as const) {
      if (!listId) continue;
      const list = await this.repository.findIdList(listId);
      if (list?.incidentId !== incidentId) {
        problems.push({
          field,
          rule: 'isIdListOfIncident',
          message: `${field} is not an id list uploaded for this incident`,
        });
      }
    }
    if (
      criteria.activeFrom &&
      criteria.activeTo &&
      new Date(criteria.activeFrom) > new Date(criteria.activeTo)
    ) {
      problems.push({
        field: 'criteria.activeTo',
        rule: 'after:activeFrom',
        message: 'criteria.activeTo cannot be before activeFrom',
      });
    }
    const { everyone, dataCategoriesMatch: _match, exclude: _exclude, ...inclusions } = criteria;
    const narrowed = Object.values(inclusions).some(
      (v) => v !== undefined && !(Array.isArray(v) && v.length === 0),
    );
    if (!narrowed && !everyone) {
      problems.push({
        field: 'criteria',
        rule: 'notEmpty',
        message: 'give at least one criterion, or `everyone: true` to scope the whole directory',
      });
    }
    if (problems.length > 0) throw AppError.invalid(problems);
  }
}

/** Which filters a read of the affected set used (their names, never their values), for its audit record. */
function usedFilters(filter: AffectedFilter): string[] {
  return Object.keys(filter).filter((k) => filter[k as keyof AffectedFilter] !== undefined);
}
