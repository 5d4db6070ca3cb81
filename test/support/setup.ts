import { afterAll, afterEach, beforeEach } from 'vitest';
import { closeScope, openScope } from './dispose.js';

// Resources made in beforeAll land in the outer scope and close after the file; each test gets its own.
beforeEach(() => openScope());
afterEach(() => closeScope());
afterAll(() => closeScope());
