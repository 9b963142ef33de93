import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { JurisdictionsModule } from '../jurisdictions/jurisdictions.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { PublicNoticesController } from './public-notices.controller.js';
import { PublicNoticesRepository } from './public-notices.repository.js';
import { PublicNoticesService } from './public-notices.service.js';
import { PublishedNotices } from './published-notices.js';

/**
 * The public Security Notice: drafts, approval, publication and versions (the admin API), and the
 * published notices the public pages serve (public-pages.handler.ts, put ahead of Express in bootstrap).
 * PublishedNotices is exported for the personal notice pages, which find a notice by its slug.
 */
@Module({
  imports: [ApiKeysModule, IncidentsModule, JurisdictionsModule, TemplatesModule],
  controllers: [PublicNoticesController],
  providers: [PublicNoticesRepository, PublicNoticesService, PublishedNotices],
  exports: [PublishedNotices, PublicNoticesService],
})
export class PublicNoticesModule {}
