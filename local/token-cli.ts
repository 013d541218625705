import { parseCommandLine, runCommand, UsageError } from '../tools/shared/cli.js';
import { issueLocalToken, LOCAL_TOKEN_TTL, loadOrCreateSigningKey } from './jwt.js';
import { readLocalSettings } from './settings.js';

/*
 * `npm run --silent token -- <userId> [--expires-in 2h]`: prints a bearer token the local stack
 * (same DATA_DIR) accepts, and nothing else on stdout, so `$(npm run --silent token -- alice)`
 * works in a shell.
 */

const USAGE = `Usage: npm run --silent token -- <userId> [--expires-in ${LOCAL_TOKEN_TTL}]

Prints a bearer token for <userId> that the local stack on the same DATA_DIR (.devstack) accepts,
and nothing else: TOKEN=$(npm run --silent token -- alice)
  --expires-in   lifetime, e.g. 2h, 7d (default ${LOCAL_TOKEN_TTL})`;

const MAX_USER_ID_LENGTH = 256;

await runCommand({ name: 'npm run token', usage: USAGE }, async () => {
  const { positionals, values } = parseCommandLine({
    allowPositionals: true,
    options: { 'expires-in': { type: 'string', default: LOCAL_TOKEN_TTL } },
  });
  const [userId, ...extra] = positionals;
  if (!userId) throw new UsageError('a user id is required');
  if (extra.length > 0) throw new UsageError(`one user id only, not also ${extra.join(' ')}`);
  if (userId.length > MAX_USER_ID_LENGTH) throw new UsageError(`the user id is longer than ${MAX_USER_ID_LENGTH} characters`);
  const { DATA_DIR } = readLocalSettings();
  const key = await loadOrCreateSigningKey(DATA_DIR);
  const token = await issueLocalToken(key, userId, { expiresIn: values['expires-in'] }).catch((error: unknown) => {
    // jose rejects a lifetime it cannot read with a TypeError; anything else is not the user's input.
    throw error instanceof TypeError ? new UsageError(`--expires-in ${values['expires-in']}: ${error.message}`) : error;
  });
  process.stdout.write(`${token}\n`);
});
