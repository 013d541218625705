import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderOpenApiDocument } from './document.js';

/*
 * npm run openapi: writes openapi.json from the route table and the API's schemas.
 * npm run openapi -- --check: exits 1 when the committed file is stale.
 */
const USAGE = 'usage: npm run openapi [-- --check]\n  writes openapi.json; --check only reports whether it is up to date';
const target = new URL('../../openapi.json', import.meta.url);

let check = false;
try {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  check = values.check ?? false;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

const rendered = renderOpenApiDocument();
if (check) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== rendered) {
    console.error('openapi.json is stale: run `npm run openapi` and commit it');
    process.exit(1);
  }
  console.log('openapi.json is up to date');
} else {
  await writeFile(target, rendered);
  console.log('wrote openapi.json');
}
