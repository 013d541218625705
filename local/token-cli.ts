import { parseArgs } from 'node:util';
import { issueLocalToken, LOCAL_TOKEN_TTL, loadOrCreateSigningKey } from './jwt.js';
import { readLocalSettings } from './settings.js';

/*
 * `npm run --silent token -- <userId> [--expires-in 2h]`: prints a bearer token the local stack
 * (same DATA_DIR) accepts, and nothing else on stdout, so `$(npm run --silent token -- alice)`
 * works in a shell.
 */

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'expires-in': { type: 'string', default: LOCAL_TOKEN_TTL } },
});
const userId = positionals[0];
if (!userId || positionals.length > 1 || userId.length > 256) {
  console.error('Usage: npm run --silent token -- <userId> [--expires-in 30d]');
  process.exit(2);
}
const { DATA_DIR } = readLocalSettings();
const key = await loadOrCreateSigningKey(DATA_DIR);
process.stdout.write(`${await issueLocalToken(key, userId, { expiresIn: values['expires-in'] })}\n`);
