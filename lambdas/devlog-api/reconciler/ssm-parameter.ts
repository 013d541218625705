/**
 * The SSM reader this function loads on first use, beside its handler: the bundle puts it next
 * to index.mjs under this name (LambdaFunction's lazyModules), where the dynamic import finds it.
 */
export { readSsmParameter } from '../adapters/ssm-parameter.js';
