import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ObligationsCloseCheck } from './close-check.js';
import { GermanLandCheck } from './german-land.check.js';
import { MainEstablishmentCheck } from './main-establishment.check.js';
import { ObligationsController } from './obligations.controller.js';
import { ObligationsRepository } from './obligations.repository.js';
import { ObligationsService } from './obligations.service.js';
import { ReachRepository } from './reach.repository.js';

@Module({
  imports: [IncidentsModule],
  controllers: [ObligationsController],
  providers: [
    MainEstablishmentCheck,
    GermanLandCheck,
    ObligationsRepository,
    ObligationsService,
    ObligationsCloseCheck,
    ReachRepository,
  ],
  exports: [ObligationsService, ReachRepository],
})
export class JurisdictionsModule {}
