import { Module } from '@nestjs/common';
import { AgeBackfill } from './age-backfill.js';
import { GuardianHashes } from './guardian-hashes.js';
import { PreparerPool } from './import.pool.js';
import { ImportsRepository } from './imports.repository.js';
import { ImportsService } from './imports.service.js';
import { SubjectsController } from './subjects.controller.js';
import { SubjectsRepository } from './subjects.repository.js';
import { SubjectsService } from './subjects.service.js';

@Module({
  controllers: [SubjectsController],
  providers: [
    AgeBackfill,
    GuardianHashes,
    SubjectsRepository,
    SubjectsService,
    ImportsRepository,
    ImportsService,
    PreparerPool,
  ],
  exports: [SubjectsService],
})
export class SubjectsModule {}
