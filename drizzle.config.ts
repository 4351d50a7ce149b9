import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate` writes the next SQL migration from src/services/db/schema.ts; both engines run the same files.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/services/db/schema.ts',
  out: './src/services/db/migrations',
});
