export * from './job-message.js';
export * from './queue-settings.js';
export * from './entry-table.js';
export * from './failure-reasons.js';
export * from './aws-call-budget.js';
export * from './version.js';
export * from './version-negotiation.js';
