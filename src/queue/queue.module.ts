import { Global, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { JobRepository } from './job.repository.js';
import { SendRate } from './send-rate.js';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      // Opened in the factory so the queues exist before anything (the dashboard) asks for them.
      provide: JobRepository,
      inject: [AppConfig, DiscoveryService, MetadataScanner, Reflector, MetricsService],
      useFactory: async (
        config: AppConfig,
        discovery: DiscoveryService,
        scanner: MetadataScanner,
        reflector: Reflector,
        metrics: MetricsService,
      ) => {
        const jobs = new JobRepository(config, discovery, scanner, reflector, metrics);
        await jobs.open();
        return jobs;
      },
    },
    SendRate,
  ],
  exports: [JobRepository, SendRate],
})
export class QueueModule {}
