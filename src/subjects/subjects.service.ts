import { Injectable, Logger } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode, FieldProblem } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { normalizeEmail } from '../crypto/field-cipher.js';
import { DatabaseService } from '../database/database.service.js';
import { Revocations } from '../database/revocations.js';
import { guardianRouteAges } from '../jurisdictions/consent-ages.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, JobPayload } from '../queue/queue.catalogue.js';
import {
  ageFlags,
  reachableChannels,
  SealedContact,
  Subject,
  SubjectValidator,
  type Channel,
} from './subject.validation.js';
import { PreparerPool } from './import.pool.js';
import { subjectAad, type PreparedBatch } from './subject.batch.js';
import { toBuffer } from '../database/rows.js';
import { SubjectRow, SubjectsRepository } from './subjects.repository.js';

export const BULK_MAX = 10_000;

/** Without the id asked for: a caller may try an email address as an id, and the answer would show it. */
const noSuchSubject = () => new AppError(ErrorCode.NotFound, 'no person has this externalId');

export interface Rejection extends FieldProblem {
  /** Index in the request, or line number in a file. */
  index: number;
}

export interface UpsertOutcome {
  created: number;
  updated: number;
  rejected: number;
  rejections: Rejection[];
}

/** A stored person, decrypted, with what the service derived about them. */
export interface SubjectView extends Omit<
  Subject,
  'createdAt' | 'lastActiveAt' | 'minor' | 'under18' | 'jurisdictionInferred'
> {
  createdAt: Date | null;
  lastActiveAt: Date | null;
  derived: {
    jurisdictionInferred: boolean;
    minor: boolean;
    /** A minor whose notice cannot go to a guardian. */
    minorWithoutGuardianContact: boolean;
    reachableBy: Channel[];
  };
  keyId: string;
  storedAt: Date;
  updatedAt: Date;
}

const AGE_CHECK_PAGE = 1_000;

@Injectable()
export class SubjectsService {
  private readonly logger = new Logger(SubjectsService.name);
  readonly validator: SubjectValidator;

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: SubjectsRepository,
    private readonly audit: AuditService,
    private readonly crypto: CryptoService,
    private readonly pool: PreparerPool,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly revocations: Revocations,
  ) {
    this.validator = new SubjectValidator(
      new Set(config.dataCategories),
      guardianRouteAges(config.minorAgeDefault, config.minorAges),
      () => clock.now(),
    );
  }

  /** Stores prepared people in order, as if one by one: a repeated external id updates the earlier row. */
  async store(prepared: PreparedBatch): Promise<{ created: number; updated: number }> {
    const totals = { created: 0, updated: 0 };
    for (const piece of prepared.pieces) {
      const result = await this.repository.upsert(piece, this.clock.now());
      totals.created += result.created;
      totals.updated += result.updated;
    }
    return totals;
  }

  /** Validates every row, stores the valid ones, and reports each rejected row with its index. */
  async bulkUpsert(actor: Actor, rows: unknown[]): Promise<UpsertOutcome> {
    const prepared = await this.pool.prepare(
      { kind: 'items', items: rows.map((value, index) => ({ line: index, value })) },
      this.clock.now(),
    );
    const rejections = prepared.rejections.map(({ line, ...problem }) => ({ ...problem, index: line }));
    return this.database.transaction(async () => {
      const { created, updated } = await this.store(prepared);
      await this.audit.record(actor, {
        action: 'subject.bulk_upsert',
        targetType: 'subject',
        summary: { created, updated, rejected: prepared.rejectedLines },
      });
      return { created, updated, rejected: prepared.rejectedLines, rejections };
    });
  }

  /** One person, decrypted; the read of personal data is audited. */
  async get(actor: Actor, externalId: string): Promise<SubjectView> {
    const row = await this.repository.findByExternalId(externalId);
    if (!row) throw noSuchSubject();
    await this.audit.record(actor, {
      action: 'subject.read',
      targetType: 'subject',
      targetId: externalId,
      summary: { fields: 'contact' },
    });
    return this.view(row);
  }

  /** People by email or phone, found through the keyed hashes; audited, without the values. */
  async lookup(actor: Actor, query: { email?: string; phone?: string }): Promise<SubjectView[]> {
    const problems: FieldProblem[] = [];
    if (!query.email && !query.phone) {
      problems.push({ field: 'email', rule: 'oneOf', message: 'give email, phone or both' });
    }
    const validated = this.validator.validate({
      externalId: 'lookup',
      email: query.email,
      phone: query.phone,
    });
    if (!validated.ok) problems.push(...validated.problems);
    if (problems.length > 0) throw AppError.invalid(problems);
    const subject = (validated as { subject: Subject }).subject;
    const cipher = this.crypto.cipher;
    const rows = await this.repository.findByHashes(
      {
        emailHash: subject.email ? cipher.keyedHash('email', normalizeEmail(subject.email)) : undefined,
        phoneHash: subject.phone ? cipher.keyedHash('phone', subject.phone) : undefined,
      },
      100,
    );
    await this.audit.record(actor, {
      action: 'subject.lookup',
      targetType: 'subject',
      summary: { by: Object.keys(query).filter((k) => query[k as 'email' | 'phone']), found: rows.length },
    });
    return rows.map((row) => this.view(row));
  }

  /**
   * Erasure: the person's row, with all their contact data, is deleted for good, and so are the local
   * outbox's copies of the notices sent to them or their guardian. Affected-set rows keep
   * the facts a report counts (jurisdiction, what was exposed, whether a notice went out) without identity.
   */
  async erase(actor: Actor, externalId: string): Promise<void> {
    await this.database.transaction(async () => {
      const { erased, incidents, outbox } = await this.repository.erase(externalId);
      if (!erased) throw noSuchSubject();
      await this.audit.record(actor, {
        action: 'subject.erase',
        targetType: 'subject',
        targetId: externalId,
        summary: { incidentsKeptAnonymously: incidents, outboxCopiesDeleted: outbox },
      });
      // Their notice pages close with them, in every process (what one keeps of a page goes at once).
      await this.revocations.announce('all');
    });
    this.revocations.revoked('all');
  }

  /**
   * Push tokens FCM says are no longer registered leave the directory: each person's contact data is
   * re-sealed without them, in a transaction of its own (run again when PostgreSQL ends it for a
   * deadlock). It locks the people's rows, which an import may hold.
   */
  async dropPushTokens(gone: Array<{ subjectId: number; token: string }>, now: Date): Promise<void> {
    if (gone.length === 0) return;
    const bySubject = new Map<number, Set<string>>();
    for (const g of gone) bySubject.set(g.subjectId, (bySubject.get(g.subjectId) ?? new Set()).add(g.token));
    const cipher = this.crypto.cipher;
    await this.database.transaction(
      async () => {
        const rows = await this.repository.sealedForUpdate([...bySubject.keys()]);
        await this.repository.replacePushTokens(
          rows.map((row) => {
            const aad = subjectAad(row.externalId);
            const contact = cipher.openJson<SealedContact>(row.sealed, aad);
            const pushTokens = contact.pushTokens.filter((t) => !bySubject.get(row.id)!.has(t.token));
            return {
              id: row.id,
              keyId: cipher.currentKeyId,
              sealed: cipher.sealJson({ ...contact, pushTokens }, aad),
              tokenCount: pushTokens.length,
            };
          }),
          now,
        );
      },
      { retries: 3 },
    );
  }

  /** Re-seals every envelope not under the current key; safe to stop and run again. */
  async reencrypt(onProgress: (done: number, total: number) => void): Promise<number> {
    const cipher = this.crypto.cipher;
    // Over the whole directory, from the command line: the bulk statement limit for the count and for
    // each page (a page scans on to the next row not under the key, the last one to the end).
    const bulk = <T>(read: () => Promise<T>) => this.database.transaction(read, { bulk: true });
    const total = await bulk(() => this.repository.countNotUnderKey(cipher.currentKeyId));
    let done = 0;
    let afterId = 0;
    for (;;) {
      const page = await bulk(() => this.repository.pageNotUnderKey(cipher.currentKeyId, afterId, 1_000));
      if (page.length === 0) break;
      const resealed = page.map((row) => {
        const aad = subjectAad(row.externalId);
        return {
          id: row.id,
          keyId: cipher.currentKeyId,
          sealed: cipher.seal(cipher.open(row.sealed, aad), aad),
        };
      });
      await this.repository.replaceSealed(resealed);
      done += page.length;
      afterId = page.at(-1)!.id;
      onProgress(done, total);
    }
    await this.audit.record(
      { keyId: null, role: 'system', ip: null },
      {
        action: 'subject.reencrypt',
        targetType: 'subject',
        summary: { keyId: cipher.currentKeyId, rows: done },
      },
    );
    return done;
  }

  /**
   * People grow up: daily, the birth dates of the minors and the under-18s are opened and those past
   * their jurisdiction's age are no longer minors, those past 18 no longer under 18; a row not checked
   * yet (written before `under_18` was kept) gets both. With `all`, everyone is checked (after MINOR_AGES
   * changed).
   */
  @OnJob(JobName.SubjectsAgeCheck)
  async refreshMinors(
    payload: JobPayload<JobName.SubjectsAgeCheck>,
  ): Promise<{ checked: number; changed: number }> {
    const cipher = this.crypto.cipher;
    const ages = guardianRouteAges(this.config.minorAgeDefault, this.config.minorAges);
    const today = this.clock.now();
    let afterId = 0;
    let checked = 0;
    let changed = 0;
    for (;;) {
      const page = await this.repository.pageForAgeCheck(payload.all, afterId, AGE_CHECK_PAGE);
      if (page.length === 0) break;
      const moved: Array<{ id: number; minor: boolean; under18: boolean }> = [];
      for (const row of page) {
        const { birthDate } = cipher.openJson<SealedContact>(row.sealed, subjectAad(row.externalId));
        const { minor, under18 } = ageFlags(birthDate, today, ages(row.jurisdiction));
        if (minor !== row.minor || under18 !== row.under18) moved.push({ id: row.id, minor, under18 });
      }
      await this.repository.setAges(moved);
      checked += page.length;
      changed += moved.length;
      afterId = page.at(-1)!.id;
    }
    if (changed > 0) this.logger.log({ checked, changed }, 'minor flags refreshed');
    return { checked, changed };
  }

  private view(row: SubjectRow): SubjectView {
    const contact = this.crypto.cipher.openJson<SealedContact>(
      toBuffer(row.sealed),
      subjectAad(row.externalId),
    );
    const guardianContact = row.guardianHasEmail || row.guardianHasPhone;
    return {
      externalId: row.externalId,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      pushTokens: contact.pushTokens,
      locale: row.locale ?? undefined,
      timeZone: row.timeZone ?? undefined,
      jurisdiction: row.jurisdiction ?? undefined,
      birthDate: contact.birthDate,
      guardian: contact.guardian,
      channelPreferences: row.channelPreferences as Channel[],
      dataCategories: row.dataCategories,
      systems: row.systems,
      createdAt: row.signedUpAt,
      lastActiveAt: row.lastActiveAt,
      derived: {
        jurisdictionInferred: row.jurisdictionInferred,
        minor: row.minor,
        minorWithoutGuardianContact: row.minor && !guardianContact,
        reachableBy: reachableChannels(row),
      },
      keyId: row.keyId,
      storedAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
