import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.shortfall/', 'dist/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '.*.cjs', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Only src/app/config.ts reads the environment (STYLE.md B2 #12).
    files: ['src/**/*.ts', 'activities/**/*.ts', 'integrations/**/*.ts', 'workflows/**/*.ts'],
    ignores: ['src/app/config.ts', 'src/app/main.ts'], // main.ts hands process.env to loadConfig
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/app/config.ts.' },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox (STYLE.md B2 #2).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins,
            'pino',
            'pg',
            'drizzle-orm',
            '@electric-sql/pglite',
            '@temporalio/activity',
            '@temporalio/client',
            '@temporalio/worker',
          ],
          patterns: [
            {
              group: [
                '**/src/services/**',
                '**/integrations/**',
                '**/src/config*',
                '**/activities/*',
                '!**/activities/index.js',
                '**/simulators/**',
              ],
              message: 'Workflows must stay deterministic; call an activity.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
