/**
 * Typed documents for the operations the tests use (`graphql(\`…\`)` in test files), generated from the
 * committed schema.graphql. `npm run codegen` regenerates test/graphql/; a test fails when it is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', '!test/graphql/**'],
  ignoreNoDocuments: false,
  // The project is ESM with NodeNext resolution: generated imports need their .js extension.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/graphql/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
