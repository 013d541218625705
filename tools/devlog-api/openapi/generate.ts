import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderClientTypes } from './client-types.js';
import { renderOpenApiDocument } from './document.js';
import { type RoutesDocument, withRoutesTable } from './readme-routes.js';

/*
 * npm run openapi: writes openapi.json from the route table and the API's schemas, the tests'
 * client types from it (generated, not committed: npm's postinstall writes them too), and the
 * README's table of routes from it.
 * npm run openapi -- --check: exits 1 when openapi.json or the README's table is stale.
 */
const USAGE =
  "usage: npm run openapi [-- --check]\n  writes openapi.json, the tests' client types and the README's routes table; --check only reports whether they are up to date";
const target = new URL('../../../openapi.json', import.meta.url);
const typesFile = new URL('../../../test/support/openapi-types.d.ts', import.meta.url);
const readmeFile = new URL('../../../README.md', import.meta.url);

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
const readme = await readFile(readmeFile, 'utf8');
const renderedReadme = withRoutesTable(readme, JSON.parse(rendered) as RoutesDocument);
if (check) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  const stale = [committed !== rendered && 'openapi.json', readme !== renderedReadme && "README.md's routes table"].filter(Boolean);
  if (stale.length > 0) {
    console.error(`${stale.join(' and ')} stale: run \`npm run openapi\` and commit it`);
    process.exit(1);
  }
  console.log("openapi.json and README.md's routes table are up to date");
} else {
  await writeFile(target, rendered);
  await writeFile(typesFile, await renderClientTypes(rendered));
  await writeFile(readmeFile, renderedReadme);
  console.log("wrote openapi.json, test/support/openapi-types.d.ts and README.md's routes table");
}
