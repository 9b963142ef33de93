import { Injectable, Logger } from '@nestjs/common';
import { Actor, SYSTEM_ACTOR } from '../common/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode, type FieldProblem } from '../common/errors.js';
import { INVISIBLE } from '../common/text.js';
import { Role } from '../common/permissions.js';
import { DatabaseService } from '../database/database.service.js';
import { displayPrefix, generateSecret, hashSecret } from './api-key.secret.js';
import { ApiKeyRepository, ApiKeyRow } from './api-key.repository.js';

export interface NewApiKey {
  name: string;
  role: Role;
  /** One person's work identity; stored normalised ({@link normalizeHolder}), so holders compare without case. */
  holder?: string;
  expiresAt?: Date;
}

/**
 * A holder as stored and compared: NFKC (a full-width or ligature spelling is the same identity), without
 * case, without surrounding space or a trailing dot (`resp@example.com.` is the same address), null when
 * nothing is left. Holders stored before NFKC and the trailing dot (trimmed and lower-cased) keep their
 * value: an ASCII holder is the same either way.
 */
export function normalizeHolder(holder: string): string | null {
  return holder.normalize('NFKC').trim().toLowerCase().replace(/\.+$/, '').trim() || null;
}

/**
 * What is wrong with a holder given, if anything: invisible characters (`resp@example.com\u200b`) made a
 * second identity for the four-eyes check that reads as the first; and a holder must say someone.
 */
export function holderProblem(holder: string): FieldProblem | undefined {
  if (INVISIBLE.test(holder)) {
    return {
      field: 'holder',
      rule: 'noInvisibleCharacters',
      message: 'holder must not contain control, format or other invisible characters (U+200B...)',
    };
  }
  if (normalizeHolder(holder) === null) {
    return { field: 'holder', rule: 'hasText', message: 'holder must name someone' };
  }
  return undefined;
}

/** What a four-eyes check refuses an approval for. */
const APPROVAL_CONFLICTS = {
  same_holder: "this key and the author's have the same holder",
  made_by_author: 'this key was made by its author after the draft',
} as const;

/** Writing lastUsedAt on every request would turn each read into a write; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: ApiKeyRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Creates a key; the secret is returned here once and never stored. */
  async create(actor: Actor, input: NewApiKey): Promise<{ key: ApiKeyRow; secret: string }> {
    if (input.expiresAt && input.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw AppError.invalid([
        { field: 'expiresAt', rule: 'isFuture', message: 'expiresAt must be in the future' },
      ]);
    }
    // Null (which the DTO lets through as absent) is no holder, as before.
    const holder = typeof input.holder === 'string' ? input.holder : undefined;
    const problem = holder === undefined ? undefined : holderProblem(holder);
    if (problem) throw AppError.invalid([problem]);
    const secret = generateSecret();
    const key = await this.database.transaction(async () => {
      const row = await this.repository.insert({
        name: input.name,
        role: input.role,
        keyHash: hashSecret(secret),
        keyPrefix: displayPrefix(secret),
        holder: holder === undefined ? null : normalizeHolder(holder),
        createdBy: actor.keyId,
        expiresAt: input.expiresAt ?? null,
      });
      await this.audit.record(actor, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: row.id,
        summary: { role: row.role, holder: row.holder, expiresAt: row.expiresAt },
      });
      return row;
    });
    return { key, secret };
  }

  /**
   * Four eyes: refuses (403) an approval of what `authorKeyId` drafted at `draftedAt` by the same key,
   * by another key of the same holder, or by a key the author made after the draft. `what` names the
   * thing in the message ("a campaign"). Keys are not people: holders are what tells people apart.
   */
  async checkFourEyes(
    actor: Actor,
    authorKeyId: string | null,
    draftedAt: Date,
    what: string,
  ): Promise<void> {
    const refuse = (why?: string) =>
      new AppError(
        ErrorCode.Forbidden,
        `${what} must be approved by someone other than its author${why ? `: ${why}` : ''}`,
      );
    if (actor.keyId === null || authorKeyId === null) return;
    if (actor.keyId === authorKeyId) throw refuse();
    const conflict = await this.repository.approvalConflict(actor.keyId, authorKeyId, draftedAt);
    if (conflict) throw refuse(APPROVAL_CONFLICTS[conflict]);
  }

  list(): Promise<ApiKeyRow[]> {
    return this.repository.list();
  }

  /** Revoking is idempotent: a key revoked before answers the same, and is audited once. */
  async revoke(actor: Actor, id: string): Promise<void> {
    const existing = await this.repository.findById(id);
    if (!existing) throw AppError.notFound('API key', id);
    if (existing.revokedAt) return;
    await this.database.transaction(async () => {
      const revoked = await this.repository.revoke(id, this.clock.now());
      if (!revoked) return;
      await this.audit.record(actor, {
        action: 'api_key.revoke',
        targetType: 'api_key',
        targetId: id,
        summary: {},
      });
    });
  }

  /** The actor for a presented secret, or undefined when the key is unknown, revoked or expired. */
  async authenticate(secret: string, ip: string | null): Promise<Actor | undefined> {
    const row = await this.repository.findByHash(hashSecret(secret));
    const now = this.clock.now();
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now.getTime()))
      return undefined;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.repository.touch(row.id, now);
    }
    return { keyId: row.id, role: row.role as Role, ip };
  }

  /**
   * The first start of a service nobody can use yet (no key was ever made, no ADMIN_API_KEY): one admin
   * key, whose secret the caller shows once. Nodes starting together make one between them (the lock is
   * held until the key is committed). Never again once any key exists, even revoked: a log must not be a
   * way back in after an admin revoked every key.
   */
  async createFirstKey(): Promise<{ id: string; secret: string } | undefined> {
    return this.database.transaction(async () => {
      if (await this.repository.anyKeyLocked()) return undefined;
      const secret = generateSecret();
      const row = await this.repository.insert({
        name: 'first-start setup key',
        role: Role.Admin,
        keyHash: hashSecret(secret),
        keyPrefix: displayPrefix(secret),
      });
      await this.audit.record(SYSTEM_ACTOR, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: row.id,
        summary: { role: Role.Admin, source: 'first start' },
      });
      return { id: row.id, secret };
    });
  }

  /** Makes sure an admin key with exactly this secret exists (ADMIN_API_KEY). A revoked one stays revoked. */
  async ensureAdminKey(secret: string): Promise<void> {
    const existing = await this.repository.findByHash(hashSecret(secret));
    if (existing) {
      if (existing.revokedAt) this.logger.warn('ADMIN_API_KEY names a revoked key; it stays revoked');
      else if (existing.role !== (Role.Admin as string))
        this.logger.warn('ADMIN_API_KEY names a key whose role is not admin');
      return;
    }
    const created = await this.database.transaction(async () => {
      const row = await this.repository.insertIfAbsent({
        name: 'ADMIN_API_KEY',
        role: Role.Admin,
        keyHash: hashSecret(secret),
        keyPrefix: displayPrefix(secret),
      });
      if (!row) return false; // another node created it a moment ago
      await this.audit.record(SYSTEM_ACTOR, {
        action: 'api_key.create',
        targetType: 'api_key',
        targetId: row.id,
        summary: { role: Role.Admin, source: 'ADMIN_API_KEY' },
      });
      return true;
    });
    if (!created) return;
    this.logger.log('admin key from ADMIN_API_KEY created');
  }
}
