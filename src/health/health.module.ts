import { Module } from '@nestjs/common';
import { MetricsController } from '../metrics/metrics.controller.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { RootController } from './root.controller.js';

@Module({
  controllers: [HealthController, MetricsController, RootController],
  providers: [HealthService],
  exports: [HealthService],
})
export class HealthModule {}
