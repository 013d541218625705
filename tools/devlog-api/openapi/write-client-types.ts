import { readFile, writeFile } from 'node:fs/promises';
import { renderClientTypes } from './client-types.js';

/*
 * npm's postinstall and pretest (and `npm run openapi`): writes the tests' client types from the
 * committed openapi.json. They are generated, not committed (.gitignore), so a clone has them
 * after `npm ci`, `npm test` never checks against types older than the document it pulled, and a
 * review never reads a second copy of the document's shapes.
 */
const documentFile = new URL('../../../openapi.json', import.meta.url);
const typesFile = new URL('../../../test/support/openapi-types.d.ts', import.meta.url);

await writeFile(typesFile, await renderClientTypes(await readFile(documentFile, 'utf8')));
