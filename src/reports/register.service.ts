import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { DatabaseService } from '../database/database.service.js';
import { registerCsv, registerEntries, type RegisterEntry } from './register.js';
import { RegisterRepository } from './register.repository.js';

export interface RegisterQuery {
  jurisdiction?: string;
  from?: string;
  to?: string;
  format?: 'json' | 'csv';
}

export interface RegisterExport {
  jurisdiction: string | null;
  from: Date;
  to: Date;
  entries: RegisterEntry[];
  csv: string | null;
}

/** The breach register: read per jurisdiction and period, exported as JSON or CSV, every export audited. */
@Injectable()
export class RegisterService {
  constructor(
    private readonly repository: RegisterRepository,
    private readonly database: DatabaseService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async export(actor: Actor, query: RegisterQuery): Promise<RegisterExport> {
    const now = this.clock.now();
    const from = query.from ? new Date(query.from) : new Date(0);
    const to = query.to ? new Date(query.to) : now;
    if (from.getTime() >= to.getTime()) {
      throw AppError.invalid([{ field: 'to', rule: 'after:from', message: 'to must be after from' }]);
    }
    const jurisdiction = query.jurisdiction?.toUpperCase() ?? null;
    const format = query.format ?? 'json';
    // Read and audited in one transaction: an export the log does not show never leaves.
    return this.database.transaction(async () => {
      const entries = registerEntries(await this.repository.read(from, to), jurisdiction, now);
      await this.audit.record(actor, {
        action: 'register.export',
        targetType: 'register',
        targetId: jurisdiction ?? 'all',
        summary: {
          jurisdiction,
          from: from.toISOString(),
          to: to.toISOString(),
          format,
          incidents: entries.map((e) => e.reference),
        },
      });
      return { jurisdiction, from, to, entries, csv: format === 'csv' ? registerCsv(entries) : null };
    });
  }
}
