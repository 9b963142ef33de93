import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ScopingController } from './scoping.controller.js';
import { ScopingRepository } from './scoping.repository.js';
import { ScopingService } from './scoping.service.js';

@Module({
  imports: [IncidentsModule],
  controllers: [ScopingController],
  providers: [ScopingRepository, ScopingService],
  exports: [ScopingRepository],
})
export class ScopingModule {}
