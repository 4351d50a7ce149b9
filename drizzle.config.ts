import { defineConfig } from 'drizzle-kit';

// `npx drizzle-kit generate` writes the next SQL migration from src/db/schema.ts; both engines run the same files.
export default defineConfig({ dialect: 'postgresql', schema: './src/db/schema.ts', out: './src/db/migrations' });
