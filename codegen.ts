/**
 * Typed documents, generated from the committed schema.graphql, for two sets of operations:
 * - the tests' (`graphql(\`…\`)` in test files), into test/graphql/;
 * - the dashboard's (src/dashboard/*.ts), into src/dashboard/graphql/, as plain strings
 *   (`documentMode: 'string'`): the page sends the text and needs no GraphQL library of its own.
 * `npm run codegen` regenerates both; a test fails when either is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

/** What both targets share: the scalars as the API serialises them, and types only (no enums at runtime). */
const typedDocuments = {
  useTypeImports: true,
  enumsAsTypes: true,
  scalars: { DateTime: 'string' },
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  // The project is ESM with NodeNext resolution: generated imports need their .js extension.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/graphql/': {
      documents: ['test/**/*.ts', '!test/graphql/**'],
      preset: 'client',
      config: typedDocuments,
      presetConfig: { fragmentMasking: false },
    },
    'src/dashboard/graphql/': {
      documents: ['src/dashboard/**/*.ts', '!src/dashboard/graphql/**'],
      preset: 'client',
      config: { ...typedDocuments, documentMode: 'string' },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
