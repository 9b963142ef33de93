import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/database/schema.ts',
  out: process.env.MIGRATIONS_OUT ?? './src/database/migrations',
});
