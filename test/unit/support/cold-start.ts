import { expect, it } from 'vitest';

/** One test per row: reading the row's environment throws, so a function with that setting fails at cold start. */
export function itFailsAtColdStart(
  readEnv: (env: Record<string, string | undefined>) => unknown,
  rows: [name: string, env: Record<string, string>][],
): void {
  it.each(rows)('fails at cold start with %s', (_name, env) => {
    expect(() => readEnv(env)).toThrow();
  });
}
