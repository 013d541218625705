import { PREFER_WAIT_MAX_SECONDS } from '../../function-timeouts.js';

/*
 * RFC 7240 `Prefer`, the `wait` preference only. Written by hand: the grammar we need is a
 * comma-separated list of `token[=value]` items with `;`-parameters, and no maintained
 * library on npm parses it for the server side.
 */

/**
 * The seconds of the `wait` preference of a `Prefer` header, capped at PREFER_WAIT_MAX_SECONDS (API Gateway joins repeated headers with commas),
 * or undefined when there is none or it is malformed: RFC 7240 has servers ignore what they do
 * not understand. Only the first `wait` counts, as the RFC says.
 */
export function parseWaitPreference(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  for (const preference of header.split(',')) {
    const [token = ''] = preference.split(';');
    const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(.*?)\s*)?$/.exec(token);
    if (match?.[1]?.toLowerCase() !== 'wait') continue;
    const value = match[2]?.replace(/^"(.*)"$/, '$1');
    if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
    return Math.min(Number(value), PREFER_WAIT_MAX_SECONDS);
  }
  return undefined;
}
