import { ACCEPTED_JOB_MESSAGE_VERSIONS } from '../../../lambdas/contract/index.js';
import { incompatibilities } from './compatibility.js';
import {
  currentEventJsonSchema,
  definedEventSchemas,
  eventIncompatibilities,
  eventSchemaFileName,
  readPublishedEventSchemas,
  writePublishedEventSchema,
} from './event-schemas.js';
import { currentJsonSchema, readPublishedSchemas, schemaFileName, writePublishedSchema } from './published-schemas.js';

/*
 * `npm run contract:schemas`: writes the JSON Schema of every accepted message version and of
 * every event detail version into lambdas/contract/schemas/. It refuses to rewrite a published
 * version incompatibly: such a change is a new version.
 */
const published = await readPublishedSchemas();
let refused = false;
for (const version of ACCEPTED_JOB_MESSAGE_VERSIONS) {
  const before = published.get(version);
  const problems = before ? incompatibilities(before, currentJsonSchema(version)) : [];
  if (problems.length > 0) {
    refused = true;
    console.error(`v${version} is published; not rewriting ${schemaFileName(version)}: ${problems.join('; ')}. Add a new version instead.`);
    continue;
  }
  await writePublishedSchema(version);
  console.log(`${before ? 'checked' : 'published'} ${schemaFileName(version)}`);
}
const publishedEvents = await readPublishedEventSchemas();
for (const key of definedEventSchemas()) {
  const name = eventSchemaFileName(key);
  const before = publishedEvents.get(name);
  const problems = before ? eventIncompatibilities(before, currentEventJsonSchema(key)) : [];
  if (problems.length > 0) {
    refused = true;
    console.error(`${name} is published; not rewriting it: ${problems.join('; ')}. Add a new version instead.`);
    continue;
  }
  await writePublishedEventSchema(key);
  console.log(`${before ? 'checked' : 'published'} ${name}`);
}
process.exitCode = refused ? 1 : 0;
