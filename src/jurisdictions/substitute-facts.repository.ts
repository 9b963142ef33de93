import { Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { substituteFacts } from '../database/schema.js';

export type SubstituteFactsRow = typeof substituteFacts.$inferSelect;

/**
 * The facts only the responders know for a substitute notice (the cost of individual notice, a decision
 * of disproportionate effort). Who was not reached one by one comes from the reach repository.
 */
@Injectable()
export class SubstituteFactsRepository {
  constructor(private readonly database: DatabaseService) {}

  async get(incidentId: string): Promise<SubstituteFactsRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(substituteFacts)
      .where(eq(substituteFacts.incidentId, incidentId))
      .limit(1);
    return row;
  }

  async put(row: SubstituteFactsRow): Promise<SubstituteFactsRow> {
    const { incidentId: _incidentId, ...set } = row;
    const [saved] = await this.database.db
      .insert(substituteFacts)
      .values(row)
      .onConflictDoUpdate({ target: substituteFacts.incidentId, set })
      .returning();
    return saved;
  }
}
