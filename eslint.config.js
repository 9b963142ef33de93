import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '*.config.js',
      '*.config.cjs',
      '*.config.ts',
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      '.bench/**',
      'src/database/migrations/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Nest's decorators and class-validator use classes as metadata holders.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      // supertest bodies are `any`; asserting on them is the point of the test.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The house's sizes (issue 17): a function a reader holds in one screen, a file in one sitting. Data tables
    // (the schema, the rule tables) are exempt; specs are read case by case.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts', 'src/database/schema.ts', 'src/jurisdictions/rules/*.rules.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
    },
  },
);
