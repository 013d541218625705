import openapiTS, { astToString } from 'openapi-typescript';

/*
 * The TypeScript types of the API as openapi.json describes it, for the tests' HTTP client: the
 * client reads the document's shapes instead of a hand-written copy that drifts. openapi-typescript
 * (a maintained generator) writes them; this module only adds the banner.
 */

const BANNER = `/*
 * Generated from openapi.json with openapi-typescript on \`npm ci\` (postinstall) and by
 * \`npm run openapi\`: do not edit, not committed (.gitignore).
 */

`;

/** The TypeScript declarations (`paths`, `components`, `operations`) of an OpenAPI document's JSON. */
export async function renderClientTypes(documentJson: string): Promise<string> {
  return BANNER + astToString(await openapiTS(JSON.parse(documentJson)));
}
