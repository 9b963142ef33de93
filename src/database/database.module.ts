import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from './database.service.js';
import { Revocations } from './revocations.js';

@Global()
@Module({
  providers: [
    {
      provide: DatabaseService,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const database = new DatabaseService(config);
        await database.open();
        return database;
      },
    },
    Revocations,
  ],
  exports: [DatabaseService, Revocations],
})
export class DatabaseModule {}
