import { SetMetadata } from '@nestjs/common';
import type { JobName } from './queue.catalogue.js';

export const ON_JOB_KEY = 'queue:on-job';

/** Marks a service method as the handler of a job; exactly one handler per job is checked at start. */
export const OnJob = (name: JobName): MethodDecorator => SetMetadata(ON_JOB_KEY, name);
