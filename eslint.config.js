// ESLint: the recommended JS and typescript-eslint rules (type-aware ones off: tsc runs
// separately in `npm run typecheck`, and type-aware linting of ~25k lines doubles CI time).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'build/**', '.quetzal/**', 'src/l1/generated/**', 'bench/results/**', 'artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names mark parameters a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // The dashboard runs in the browser.
  { files: ['src/dashboard/**'], languageOptions: { globals: { ...globals.browser } } },
);
