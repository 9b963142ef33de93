import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SubjectsRepository } from './subjects.repository.js';
import { SubjectsService } from './subjects.service.js';

/**
 * Who is under 18 (migration 0033) for the people written before it was kept, or by an older node during
 * the upgrade: at start, in the background, when anyone's is not known yet, the age refresh runs at once
 * rather than at its next daily turn (it opens those rows' birth dates and fills in their affected rows
 * too). Until then an obligation counts only the minors among them as under 18, as before 0033. Safe in
 * every process at once (each write sets the same values).
 */
@Injectable()
export class AgeBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger(AgeBackfill.name);

  constructor(
    private readonly repository: SubjectsRepository,
    private readonly subjects: SubjectsService,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: start-up does not wait for it; a failure is logged and retried at the next start.
    void this.backfill().then(
      (checked) => checked > 0 && this.logger.log({ checked }, 'ages checked at start'),
      (err: Error) => this.logger.warn({ err: err.message }, 'ages not checked at start'),
    );
  }

  async backfill(): Promise<number> {
    if (!(await this.repository.anyAgeUnchecked())) return 0;
    return (await this.subjects.refreshMinors({ all: false })).checked;
  }
}
