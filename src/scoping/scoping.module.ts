import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { JurisdictionsModule } from '../jurisdictions/jurisdictions.module.js';
import { ScopingController } from './scoping.controller.js';
import { ScopingRepository } from './scoping.repository.js';
import { ScopingService } from './scoping.service.js';

@Module({
  imports: [IncidentsModule, JurisdictionsModule],
  controllers: [ScopingController],
  providers: [ScopingRepository, ScopingService],
  exports: [ScopingRepository],
})
export class ScopingModule {}
