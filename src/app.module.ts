import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthGuard } from './api-keys/auth.guard.js';
import { CommonModule } from './common/common.module.js';
import { AllExceptionsFilter } from './common/exception.filter.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { ChannelsModule } from './channels/channels.module.js';
import { CryptoModule } from './crypto/crypto.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { IncidentsModule } from './incidents/incidents.module.js';
import { JurisdictionsModule } from './jurisdictions/jurisdictions.module.js';
import { loggerOptions, LoggingModule } from './logging.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NoticePagesModule } from './notice-pages/notice-pages.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PublicNoticesModule } from './public-notices/public-notices.module.js';
import { QueueModule } from './queue/queue.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ScopingModule } from './scoping/scoping.module.js';
import { SubjectsModule } from './subjects/subjects.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(loggerOptions(config)),
        CommonModule,
        DatabaseModule,
        CryptoModule,
        MetricsModule,
        QueueModule,
        AuditModule,
        ApiKeysModule,
        IncidentsModule,
        SubjectsModule,
        ScopingModule,
        TemplatesModule,
        ChannelsModule,
        NotificationsModule,
        WebhooksModule,
        JurisdictionsModule,
        ReportsModule,
        NoticePagesModule,
        PublicNoticesModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
