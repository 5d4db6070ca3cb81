/** `npm run schema:print`: writes schema.graphql from the Pothos schema (a test fails when it drifts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSortedSchema } from '../src/schema/index.js';
import { projectRoot } from './prisma-schemas.js';

writeFileSync(path.join(projectRoot, 'schema.graphql'), printSortedSchema());
console.log('schema:print: wrote schema.graphql');
