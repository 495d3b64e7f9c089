// ESLint for src, test, bench, bin and the config files; layering and cycles are dependency-cruiser's job.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Workflow code runs in Temporal's deterministic sandbox, which has no Node built-ins; Temporal's samples forbid them
// the same way. Both spellings: bare names ('fs', 'fs/promises') and anything under 'node:'.
const sandboxMessage = 'Workflow code runs in the sandbox, without Node built-ins: do this in an activity.';
const workflowSandboxImports = {
  paths: builtinModules.filter((name) => !name.startsWith('_')).map((name) => ({ name, message: sandboxMessage })),
  patterns: [{ group: ['node:*'], message: sandboxMessage }],
};

// Globals of the CommonJS files (bin/, jest.config.js); the `globals` package is not worth a dependency for these.
const commonJsGlobals = {
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  process: 'readonly',
  console: 'readonly',
  __dirname: 'readonly',
};

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'bench-results/', '.amlops/', 'coverage/', 'data/'] },
  js.configs.recommended,
  {
    rules: {
      // Prettier wraps code at 120 but leaves comments and strings alone; this catches the comments. (Deprecated in
      // core since 8.53 but kept through ESLint 10; @stylistic/max-len is its successor if it goes.)
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      // Type information for the promise rules: a workflow or activity call left unawaited is a silent bug.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // The layering check lets workflows and src/contract import some modules as types only: `import type` says so.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A ternary as a statement is the hot loops' compact style (`y ? tp++ : fp++`); comma sequences need braces.
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', workflowSandboxImports],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[specifiers.length=0]',
          message: 'A side-effecting import runs in every workflow sandbox: import names, or move it out of workflows.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: commonJsGlobals },
  },
);
