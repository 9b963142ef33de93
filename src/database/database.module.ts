import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from './database.service.js';

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
  ],
  exports: [DatabaseService],
})
export class DatabaseModule {}
