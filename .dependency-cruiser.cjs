/*
 * The boundaries between the two teams, enforced by `npm run lint` (dependency-cruiser). The one
 * home of these rules: CODEOWNERS says who owns each folder, this file what may import what.
 *   web team (devlog-api):        lambdas/devlog-api, lib/devlog-api, tools/devlog-api
 *   extraction team (tag-extraction): lambdas/tag-extraction, lib/tag-extraction, tools/tag-extraction
 *   shared:                        lambdas/contract (the only code both teams' Lambdas import),
 *                                  lib/shared, lib/app.ts, tools/shared, and the tooling
 *                                  (local, bench, ops, eval, test) that runs both halves together.
 */
const WEB = '^(lambdas|lib|tools)/devlog-api/';
const EXTRACTION = '^(lambdas|lib|tools)/tag-extraction/';
const TOOLING = '^(local|bench|ops|eval|test|tools)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'web-imports-extraction',
      comment: "The web team's code may share only the contract (lambdas/contract) with the extraction team's.",
      severity: 'error',
      from: { path: WEB },
      to: { path: EXTRACTION },
    },
    {
      name: 'extraction-imports-web',
      comment: "The extraction team's code may share only the contract (lambdas/contract) with the web team's.",
      severity: 'error',
      from: { path: EXTRACTION },
      to: { path: WEB },
    },
    {
      name: 'contract-imports-a-team',
      comment: 'The contract is what both teams import: it depends on neither.',
      severity: 'error',
      from: { path: '^lambdas/contract/' },
      to: { path: '^(lambdas/(devlog-api|tag-extraction)|lib|tools|local|bench|ops|eval|test)/' },
    },
    {
      name: 'lambda-imports-tooling',
      comment: 'A Lambda ships only its own code and the contract: never the local stack, the bench, ops, eval, tools or tests.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: TOOLING },
    },
    {
      name: 'lambda-imports-cdk',
      comment: 'A Lambda never imports the CDK app (lib/): the stacks import the Lambdas, not the reverse.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '^(lib|bin)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|bench/results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
