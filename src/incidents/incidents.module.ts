import { Module } from '@nestjs/common';
import { IncidentHistory } from './incident.history.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IncidentsService } from './incidents.service.js';

@Module({
  controllers: [IncidentsController],
  providers: [IncidentsService, IncidentsRepository, IncidentHistory],
  exports: [IncidentsService, IncidentsRepository, IncidentHistory],
})
export class IncidentsModule {}
