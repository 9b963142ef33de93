import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { JurisdictionsModule } from '../jurisdictions/jurisdictions.module.js';
import { ScopingModule } from '../scoping/scoping.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

@Module({
  imports: [ApiKeysModule, IncidentsModule, JurisdictionsModule, ScopingModule],
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService],
})
export class ReportsModule {}
