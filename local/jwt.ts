import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';

/** Issuer of local tokens; stable across restarts so tokens keep working. */
export const LOCAL_JWT_ISSUER = 'https://auth.devlog-tags.localhost';
/** Audience the local authorizer requires, like the deployed authorizer's app client id. */
export const LOCAL_JWT_AUDIENCE = 'devlog-tags-local';
/** Lifetime of local tokens: long, so a pasted token keeps working for a while. */
export const LOCAL_TOKEN_TTL = '30d';
/** API Gateway's JWT authorizer accepts RSA signatures only. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];
const KEY_FILE = 'jwt-signing-key.json';

/** The local signing key pair as JWKs. */
export interface SigningKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * Loads the signing key from the data directory, creating it on first use. Creation is
 * race-free (write a temp file, then hard-link it into place) because `npm run token` and
 * `npm start` may both be first.
 */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const file = path.join(dataDir, KEY_FILE);
  try {
    return toSigningKey(JSON.parse(await readFile(file, 'utf8')) as JWK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  privateJwk.alg = 'RS256';
  privateJwk.use = 'sig';
  privateJwk.kid = await calculateJwkThumbprint(privateJwk);
  await mkdir(dataDir, { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(privateJwk, null, 2), { mode: 0o600 });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return toSigningKey(JSON.parse(await readFile(file, 'utf8')) as JWK);
  } finally {
    await unlink(temporary);
  }
  return toSigningKey(privateJwk);
}

function toSigningKey(privateJwk: JWK): SigningKey {
  const { kty, n, e, kid, alg, use } = privateJwk;
  return { privateJwk, publicJwk: { kty, n, e, kid, alg, use } };
}

/** Signs a token for `userId` that the local authorizer accepts. */
export async function issueLocalToken(
  key: SigningKey,
  userId: string,
  options: { expiresIn?: string; scopes?: string[] } = {},
): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  return new SignJWT({ ...(options.scopes?.length ? { scope: options.scopes.join(' ') } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: key.privateJwk.kid, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(LOCAL_JWT_ISSUER)
    .setAudience(LOCAL_JWT_AUDIENCE)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(options.expiresIn ?? LOCAL_TOKEN_TTL)
    .sign(privateKey);
}

/** What the authorizer passes on: API Gateway's `requestContext.authorizer.jwt`. */
export interface AuthorizedJwt {
  claims: Record<string, string>;
  scopes: string[] | null;
}

/** The authorizer's verdict. */
export type AuthorizerResult = { ok: true; jwt: AuthorizedJwt } | { ok: false; reason: string };

/** Checks the Authorization header of a request. */
export type JwtAuthorizer = (authorization: string | undefined) => Promise<AuthorizerResult>;

/**
 * A JWT check with API Gateway's rules (developer guide, "Control access to HTTP APIs with JWT
 * authorizers", and its JWT troubleshooting page): an RSA signature by the key its `kid` header
 * names (a token without `kid` is refused, even with one key), `iss` equal to the issuer, `aud`
 * one of the audiences, or, only when there is no `aud`, Cognito's `client_id`; `exp` required
 * and after now, `nbf` and `iat` before now. The header may carry the token with or without the
 * `Bearer ` prefix.
 */
export function createJwtAuthorizer(options: { publicJwk: JWK; issuer?: string; audience?: string }): JwtAuthorizer {
  const keys = createLocalJWKSet({ keys: [options.publicJwk] });
  const issuer = options.issuer ?? LOCAL_JWT_ISSUER;
  const audience = options.audience ?? LOCAL_JWT_AUDIENCE;
  return async (authorization) => {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return { ok: false, reason: 'no token' };
    let payload: JWTPayload;
    try {
      // jose's key set matches a kid-less token to its only key; API Gateway needs the kid.
      if (!decodeProtectedHeader(token).kid) return { ok: false, reason: 'no key id (kid) in the token header' };
      ({ payload } = await jwtVerify(token, keys, { issuer, algorithms: ALGORITHMS, requiredClaims: ['exp'] }));
    } catch (error) {
      return { ok: false, reason: describeJoseError(error) };
    }
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) {
      return { ok: false, reason: 'issued in the future (iat)' };
    }
    // client_id counts only without aud: a token for another audience stays refused whatever its client_id.
    if (payload.aud !== undefined ? !audiencesOf(payload.aud).includes(audience) : payload.client_id !== audience) {
      return { ok: false, reason: 'audience not allowed' };
    }
    return { ok: true, jwt: { claims: apiGatewayClaims(payload), scopes: scopesOf(payload) } };
  };
}

function audiencesOf(aud: string | string[]): string[] {
  return typeof aud === 'string' ? [aud] : aud;
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} invalid`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  return 'malformed token';
}

/**
 * API Gateway hands claims to the function as strings, arrays flattened to `[a b]`; local does
 * the same so code that works here does not break on the deployed shape.
 */
function apiGatewayClaims(payload: JWTPayload): AuthorizedJwt['claims'] {
  const claims: AuthorizedJwt['claims'] = {};
  for (const [name, value] of Object.entries(payload)) {
    if (typeof value === 'string') claims[name] = value;
    else if (Array.isArray(value)) claims[name] = `[${value.join(' ')}]`;
    else if (typeof value === 'object' && value !== null) claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

/** Scopes from `scope` (space-separated) or `scp`; null without either, as API Gateway sends. */
function scopesOf(payload: JWTPayload): string[] | null {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.map(String);
  return null;
}
