import { LOCAL_TOKEN_TTL } from './jwt.js';
import { DEV_USER_ID, type LocalStack } from './stack.js';

/*
 * The banner `npm start` prints once the stack is up, and the one pattern that reads it back
 * (local/stack-launcher.ts for the tests and the bench): both here, so they cannot drift apart.
 */

const SEED_ENTRY =
  'Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt, und sie auf ImaginaryNoneExistence Cloud deployed.';

/** Matches printed output once it holds the whole ready banner (its first and its last line). */
export const READY_BANNER = /ready in [\d.]+ s[\s\S]*Ctrl-C stops everything/;

/** What a program that started the stack reads from its banner. */
export interface ReadyBanner {
  apiUrl: string;
  /** The dev user's bearer token. */
  token: string;
  /** The startup time the stack reported, in ms. */
  startupMs: number;
}

/** The banner `npm start` prints when the stack is ready. */
export function readyBanner(stack: LocalStack): string {
  const api = stack.apiUrl;
  const body = JSON.stringify({ entry: SEED_ENTRY });
  return `
devlog-tags local stack ready in ${(stack.startupMs / 1000).toFixed(1)} s

  API        ${api}
  Web page   ${stack.webUrl}   (token prefilled)
  Extractor  ${stack.extractor.description}
  Model      ${stack.extractor.check}
  Data       ${stack.dataDir}   (npm start -- --reset wipes it)

  Bearer token for user "${DEV_USER_ID}" (valid ${LOCAL_TOKEN_TTL}; for another user: npm run --silent token -- <userId>):
  export TOKEN=${stack.devToken}

  Try it:
    ID=$(curl -s -X POST ${api}/logs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
      -d '${body}' | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).id')
    curl -s ${api}/logs/$ID -H 'Prefer: wait=20' -H "Authorization: Bearer $TOKEN"
    curl -s '${api}/logs?limit=5' -H "Authorization: Bearer $TOKEN"

Logs: one line per request and per processed batch. Ctrl-C stops everything.
`;
}

/** The API URL, token and startup time of a ready banner in `output`; undefined until it is all there. */
export function parseReadyBanner(output: string): ReadyBanner | undefined {
  if (!READY_BANNER.test(output)) return undefined;
  const apiUrl = /^\s+API\s+(http:\/\/\S+)/m.exec(output)?.[1];
  const token = /export TOKEN=(\S+)/.exec(output)?.[1];
  const startupSeconds = /ready in ([\d.]+) s/.exec(output)?.[1];
  if (!apiUrl || !token || !startupSeconds) throw new Error(`banner without API URL or token:\n${output}`);
  return { apiUrl, token, startupMs: Number(startupSeconds) * 1000 };
}
