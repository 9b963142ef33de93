import { Module } from '@nestjs/common';
import { EnglishSmsCheck } from './english-sms.check.js';
import { NoticeRenderer } from './notice.renderer.js';

/** The notice renderer (the templates compiled once), and the boot check of the SMS it renders. */
@Module({
  providers: [{ provide: NoticeRenderer, useFactory: () => new NoticeRenderer() }, EnglishSmsCheck],
  exports: [NoticeRenderer],
})
export class TemplatesModule {}
