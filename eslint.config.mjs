// One lint configuration for the whole repository (the service, the app, tests, scripts). Formatting
// is prettier's (`npm run format`); eslint-config-prettier turns off the rules that would fight it,
// and max-len then catches what prettier does not wrap: comments, strings and template literals
// (split those with `+`, or SQL over several lines). Only lines holding a URL or a long regex literal
// are left alone.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.standing/**', '.prof/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  prettier,
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/max-len': [
        'error',
        {
          code: 120,
          tabWidth: 2,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'bench/**', 'demo/**/*.ts', 'tools/**'],
    languageOptions: { globals: globals.node },
  },
  { files: ['demo/host/**/*.js'], languageOptions: { sourceType: 'script', globals: globals.browser } },
);
