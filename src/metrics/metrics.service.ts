import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process. Labels never carry personal data or ids. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'jobs_processed_total',
    help: 'Jobs processed by name and outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly auditChainValid = new Gauge({
    name: 'audit_chain_valid',
    help: '1 when the last audit chain verification passed, 0 when it found a broken entry, NaN before any (unknown)',
    registers: [this.registry],
  });

  readonly auditEntries = new Gauge({
    name: 'audit_chain_entries',
    help: 'Entries checked by the last audit chain verification',
    registers: [this.registry],
  });

  readonly obligationAlerts = new Counter({
    name: 'obligation_alerts_total',
    help: 'Deadline alerts raised, by kind (due_soon, missed)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Unknown until a verification is read or run: a 0 would say "broken" after every restart.
    this.auditChainValid.set(Number.NaN);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
