import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { CampaignsService } from './campaigns.service.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryService } from './delivery.service.js';
import { NoticeCopies, NoticeCopiesRepository } from './notice-copies.js';

@Module({
  imports: [ApiKeysModule, IncidentsModule],
  controllers: [CampaignsController],
  providers: [
    CampaignsRepository,
    DeliveriesRepository,
    CampaignsService,
    DeliveryService,
    NoticeCopiesRepository,
    NoticeCopies,
    // Templates are read once, at start: a broken template stops the start, not a send.
    { provide: NoticeRenderer, useFactory: () => new NoticeRenderer() },
  ],
  exports: [DeliveryService, NoticeCopies],
})
export class NotificationsModule {}
