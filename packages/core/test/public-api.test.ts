// Issue 23.4: the package exports what its README's API section documents, and nothing else.
import { fileURLToPath } from 'node:url';
import { testPublicApi } from '@tracehop/testkit';

testPublicApi(fileURLToPath(new URL('..', import.meta.url)), { '.': 'src/index.ts', './internal': 'src/internal.ts' });
