import { writeFile } from 'node:fs/promises';
import { synthesizeFunctionPolicies } from './synthesized-policies.js';

/**
 * `npm run iam:policies`: writes each function's DynamoDB and SQS statements from the
 * synthesized templates to the file the local stack enforces, so `npm start` does not synth.
 * test/infra/function-permissions.test.ts fails when the file drifts from the stacks.
 */
const file = new URL('./function-policies.json', import.meta.url);
await writeFile(file, `${JSON.stringify(synthesizeFunctionPolicies(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
