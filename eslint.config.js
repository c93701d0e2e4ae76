// `npm run lint` part 1: ESLint (TypeScript + Svelte). Rules are the recommended sets plus the
// house rules; formatting is Prettier's job. core/ must never import 'electron'.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'release/',
      'node_modules/',
      'test-results/',
      'bench/out/',
      'coverage/',
      '**/*.tmp.*',
      'scratch-*',
      '**/.tmp*/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
  },
  {
    // The house rule: core/ is plain Node + TypeScript, usable from the CLI and the browser host.
    files: ['src-main/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: "src-main/core must not import 'electron': put Electron code in src-main/electron.",
            },
          ],
          patterns: [{ group: ['electron/*'], message: "src-main/core must not import 'electron'." }],
        },
      ],
    },
  },
  {
    // The renderer talks to the main side only through the contract: no Node, no main-side modules.
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', 'electron/*'],
              message: 'The renderer has no Node or Electron: go through window.proxyscope.',
            },
          ],
        },
      ],
    },
  },
);
