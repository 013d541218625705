/**
 * Semantic version of the extraction service, released on its own schedule (the API and the
 * contract have their own). The one home of the fact: the stack sets it as the function's
 * `SERVICE_VERSION`, the local stack does the same, and every entry the service tags carries it
 * as `extractorVersion`. CHANGELOG.md beside this file records every version; a test keeps the
 * two in step.
 */
export const EXTRACTION_SERVICE_VERSION = '1.2.0';
