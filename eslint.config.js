// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of design.md §3, in order: a layer imports only from the layers
 * before it. store/ implements the ports of core, guard, detect and outbox
 * and imports only their types. audit/ is a black box (HTTP only) and track/
 * a client: both import only kernel/. hush.ts, the composition root, is
 * imported by the CLI alone.
 */
const LAYERS = ['kernel', 'core', 'guard', 'detect', 'outbox', 'mail', 'store', 'http', 'audit', 'cli'];
const ALL = [...LAYERS, 'track'];
const pathOf = (layers) => `(^|/)(${layers.join('|')})/`;
const ROOT = '(^|/)hush\\.js$';
/** @param {string} layer @param {string[]} forbidden @param {string[]} typesOnly */
const layerRule = (layer, forbidden, typesOnly = []) => ({
  files: [`src/${layer}/**`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          ...(forbidden.length === 0 ? [] : [{ regex: pathOf(forbidden), message: `${layer}/ may not import this layer (design.md §3: a layer imports only from the layers before it).` }]),
          ...(typesOnly.length === 0 ? [] : [{ regex: pathOf(typesOnly), allowTypeImports: true, message: `${layer}/ implements these layers' ports: import their types only.` }]),
          ...(layer === 'cli' ? [] : [{ regex: ROOT, message: 'Only the CLI imports the composition root.' }]),
        ],
      },
    ],
  },
});
const after = (layer) => ALL.filter((l) => l !== layer && (l === 'track' || LAYERS.indexOf(l) > LAYERS.indexOf(layer)));
const layerRules = [
  ...['kernel', 'core', 'guard', 'detect', 'outbox', 'mail', 'http', 'cli'].map((l) => layerRule(l, after(l))),
  layerRule('store', after('store'), ['core', 'guard', 'detect', 'outbox']),
  layerRule('audit', ALL.filter((l) => l !== 'kernel' && l !== 'audit')),
  layerRule('track', ALL.filter((l) => l !== 'kernel' && l !== 'track')),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.hush/**', 'test-output/**', 'coverage/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use kernel/random (injected randomness).' },
      ],
    },
  },
  {
    files: ['src/core/**', 'src/guard/**', 'src/detect/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use kernel/random (injected randomness).' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Use kernel/clock (injected time).' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Use kernel/clock (injected time).' },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'no-restricted-syntax': 'off',
    },
  },
  ...layerRules,
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
