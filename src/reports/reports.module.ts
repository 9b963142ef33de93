import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { JurisdictionsModule } from '../jurisdictions/jurisdictions.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { ScopingModule } from '../scoping/scoping.module.js';
import { RegisterController } from './register.controller.js';
import { RegisterRepository } from './register.repository.js';
import { RegisterService } from './register.service.js';
import { ReportsController } from './reports.controller.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

@Module({
  imports: [ApiKeysModule, IncidentsModule, JurisdictionsModule, NotificationsModule, ScopingModule],
  controllers: [ReportsController, RegisterController],
  providers: [ReportsRepository, ReportsService, RegisterRepository, RegisterService],
})
export class ReportsModule {}
