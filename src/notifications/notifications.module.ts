import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { JurisdictionsModule } from '../jurisdictions/jurisdictions.module.js';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { SubjectsModule } from '../subjects/subjects.module.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { CampaignLifecycle } from './campaign.lifecycle.js';
import { CampaignPlanner } from './campaign.planner.js';
import { SmsFit } from './sms-fit.js';
import { CampaignWarnings } from './campaign.warnings.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { CampaignsService } from './campaigns.service.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryEventsService } from './delivery-events.service.js';
import { DeliveryFallback } from './delivery.fallback.js';
import { MessagesRepository } from './messages.repository.js';
import { NoticeCopies, NoticeCopiesRepository } from './notice-copies.js';
import { NoticeTokens } from './notice-token.js';
import { Reconciler } from './reconciler.service.js';
import { BatchLeases } from './send/batch-lease.js';
import { EmailSender } from './send/email.sender.js';
import { OutcomeRecorder } from './send/outcome.recorder.js';
import { PushSender } from './send/push.sender.js';
import { RecipientPreparer } from './send/recipient.preparer.js';
import { SendBatchService } from './send/send-batch.service.js';
import { SmsSender } from './send/sms.sender.js';
import { TalliesRepository } from './tallies.repository.js';

@Module({
  imports: [ApiKeysModule, IncidentsModule, SubjectsModule, JurisdictionsModule],
  controllers: [CampaignsController],
  providers: [
    CampaignsRepository,
    DeliveriesRepository,
    MessagesRepository,
    TalliesRepository,
    CampaignsService,
    CampaignWarnings,
    SmsFit,
    CampaignLifecycle,
    CampaignPlanner,
    SendBatchService,
    BatchLeases,
    RecipientPreparer,
    EmailSender,
    SmsSender,
    PushSender,
    OutcomeRecorder,
    DeliveryFallback,
    DeliveryEventsService,
    Reconciler,
    NoticeCopiesRepository,
    NoticeCopies,
    // Templates are read once, at start: a broken template stops the start, not a send.
    { provide: NoticeRenderer, useFactory: () => new NoticeRenderer() },
    // The personal link's cipher: one for the process, derived from HASH_KEY.
    {
      provide: NoticeTokens,
      inject: [CryptoService],
      useFactory: (c: CryptoService) => new NoticeTokens(c.keys.hashKey),
    },
  ],
  exports: [DeliveryEventsService, NoticeTokens, NoticeCopies],
})
export class NotificationsModule {}
