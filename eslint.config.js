// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'lib/**',
      'dist-rules/**',
      'node_modules/**',
      'test/golden/**/expected/**',
      'test/**/fixtures/**/expected/**',
      'coverage/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // src/ is target-agnostic: it reaches targets only through the registry, loaded by the CLI.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/backends/*/**'], message: 'src/ must not import a target' }] },
      ],
    },
  },
);
