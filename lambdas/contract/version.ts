/**
 * Semantic version of the contract module (the job message, queue settings and entry table
 * layout both teams import), released independently of either service. CHANGELOG.md beside
 * this file records every version; a test keeps the two in step.
 */
export const CONTRACT_VERSION = '1.5.0';
