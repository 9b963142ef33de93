import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PublicNoticesModule } from '../public-notices/public-notices.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { LookupAnswers } from './lookup.answers.js';
import { LookupController } from './lookup.controller.js';
import { LookupService } from './lookup.service.js';
import { NoticePageView } from './notice-page.view.js';
import { NoticePagesController } from './notice-pages.controller.js';
import { NoticePagesRepository } from './notice-pages.repository.js';
import { NoticePagesService } from './notice-pages.service.js';
import { NoticeRateLimiter } from './notice-rate.js';

/**
 * Each person's notice page behind the link in their notice (`/n/<token>`), its acknowledgement, and
 * "Was I affected?" on the public Security Notice.
 */
@Module({
  imports: [IncidentsModule, NotificationsModule, PublicNoticesModule, TemplatesModule],
  controllers: [NoticePagesController, LookupController],
  providers: [
    NoticePagesRepository,
    NoticePagesService,
    NoticeRateLimiter,
    LookupService,
    LookupAnswers,
    // Its templates are read once, at start: a broken one stops the start, not a reader.
    { provide: NoticePageView, useFactory: () => new NoticePageView() },
  ],
  exports: [NoticePagesService],
})
export class NoticePagesModule {}
