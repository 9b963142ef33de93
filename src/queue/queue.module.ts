import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobRepository } from './job.repository.js';

@Global()
@Module({ imports: [DiscoveryModule], providers: [JobRepository], exports: [JobRepository] })
export class QueueModule {}
