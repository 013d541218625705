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

/**
 * A rule that fails the lint when a module whose path matches `from` imports one matching `to`.
 * @returns {import('dependency-cruiser').IForbiddenRuleType}
 */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      'web-imports-extraction',
      "The web team's code may share only the contract (lambdas/contract) with the extraction team's.",
      WEB,
      EXTRACTION,
    ),
    forbid(
      'extraction-imports-web',
      "The extraction team's code may share only the contract (lambdas/contract) with the web team's.",
      EXTRACTION,
      WEB,
    ),
    forbid(
      'contract-imports-a-team',
      'The contract is what both teams import: it depends on neither.',
      '^lambdas/contract/',
      '^(lambdas/(devlog-api|tag-extraction)|lib|tools|local|bench|ops|eval|test)/',
    ),
    forbid(
      'lambda-imports-tooling',
      'A Lambda ships only its own code and the contract: never the local stack, the bench, ops, eval, tools or tests.',
      '^lambdas/',
      TOOLING,
    ),
    forbid(
      'lambda-imports-cdk',
      'A Lambda never imports the CDK app (lib/): the stacks import the Lambdas, not the reverse.',
      '^lambdas/',
      '^(lib|bin)/',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|bench/results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
