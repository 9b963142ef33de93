import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CryptoService } from '../crypto/crypto.service.js';
import { DatabaseService } from '../database/database.service.js';
import { normalizeEmail } from '../crypto/field-cipher.js';
import { subjectAad } from './subject.batch.js';
import type { SealedContact } from './subject.validation.js';
import { SubjectsRepository } from './subjects.repository.js';

const PAGE = 1_000;

/**
 * The guardian's email and phone as keyed hashes (migration 0027), so "Was I affected?" finds a guardian
 * by their own address. Imports write them; rows imported before are filled here once, in the background
 * at start: each page of minors whose guardian has contact but no hash is opened and hashed. Safe to run
 * in every process at once (each write sets the same values) and to stop at any point.
 */
@Injectable()
export class GuardianHashes implements OnApplicationBootstrap {
  private readonly logger = new Logger(GuardianHashes.name);

  constructor(
    private readonly repository: SubjectsRepository,
    private readonly crypto: CryptoService,
    private readonly database: DatabaseService,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: start-up does not wait for it; a failure is logged and retried at the next start.
    void this.backfill().then(
      (filled) => filled > 0 && this.logger.log({ filled }, "guardians' contact hashes filled"),
      (err: Error) => this.logger.warn({ err: err.message }, "guardians' contact hashes not filled"),
    );
  }

  async backfill(): Promise<number> {
    const cipher = this.crypto.cipher;
    let filled = 0;
    for (let afterId = 0; ;) {
      // Once all are filled, at every start, a page is a scan of the whole directory that finds none
      // (1.3 s at a million): background work, so the bulk statement limit.
      const page = await this.database.transaction(
        () => this.repository.guardiansWithoutHashes(afterId, PAGE),
        { bulk: true },
      );
      if (page.length === 0) return filled;
      await this.repository.setGuardianHashes(
        page.map((row) => {
          const { guardian } = cipher.openJson<SealedContact>(row.sealed, subjectAad(row.externalId));
          return {
            id: row.id,
            emailHash: guardian?.email ? cipher.keyedHash('email', normalizeEmail(guardian.email)) : null,
            phoneHash: guardian?.phone ? cipher.keyedHash('phone', guardian.phone) : null,
          };
        }),
      );
      filled += page.length;
      afterId = page.at(-1)!.id;
    }
  }
}
