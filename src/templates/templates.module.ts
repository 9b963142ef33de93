import { Module } from '@nestjs/common';
import { EnglishSmsCheck } from './english-sms.check.js';
import { NoticeRenderer } from './notice.renderer.js';
import { PublicNoticeRenderer } from './public-notice.renderer.js';

/** The notice renderers (the templates compiled once), and the boot check of the SMS the notice renders. */
@Module({
  providers: [
    { provide: NoticeRenderer, useFactory: () => new NoticeRenderer() },
    { provide: PublicNoticeRenderer, useFactory: () => new PublicNoticeRenderer() },
    EnglishSmsCheck,
  ],
  exports: [NoticeRenderer, PublicNoticeRenderer],
})
export class TemplatesModule {}
