import { Module } from '@nestjs/common';
import { IncidentHistory } from './incident.history.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IncidentsService } from './incidents.service.js';
import { IncidentTransitionChecks } from './incident.transition-checks.js';

@Module({
  controllers: [IncidentsController],
  providers: [IncidentsService, IncidentsRepository, IncidentHistory, IncidentTransitionChecks],
  exports: [IncidentsService, IncidentsRepository, IncidentHistory, IncidentTransitionChecks],
})
export class IncidentsModule {}
