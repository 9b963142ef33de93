import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ObligationsCloseCheck } from './close-check.js';
import { GermanLandCheck } from './german-land.check.js';
import { MainEstablishmentCheck } from './main-establishment.check.js';
import { ObligationsController } from './obligations.controller.js';
import { ObligationsRepository } from './obligations.repository.js';
import { ObligationsService } from './obligations.service.js';
import { NoticeOrdering } from './notice-ordering.js';
import { ReachRepository } from './reach.repository.js';
import { PublicNoticeObligations } from './public-notice-obligations.js';
import { SubstituteFactsController } from './substitute-facts.controller.js';
import { SubstituteFactsRepository } from './substitute-facts.repository.js';

@Module({
  imports: [IncidentsModule],
  controllers: [ObligationsController, SubstituteFactsController],
  providers: [
    MainEstablishmentCheck,
    GermanLandCheck,
    ObligationsRepository,
    ObligationsService,
    ObligationsCloseCheck,
    ReachRepository,
    SubstituteFactsRepository,
    PublicNoticeObligations,
    NoticeOrdering,
  ],
  exports: [ObligationsService, ReachRepository, PublicNoticeObligations, NoticeOrdering],
})
export class JurisdictionsModule {}
