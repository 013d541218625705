import { type LaunchedStack, launchLocalStack } from '../../../local/stack-launcher.js';
import { isListening } from '../../e2e/support/local-stack-process.js';

/*
 * The local stack as `npm start` runs it, in its own process tree, so a test can kill it the
 * hard way: SIGKILL to every process of the tree, no chance to clean up, as a power cut or an
 * OOM kill would; and start it again on the same DATA_DIR.
 */

/** A stack process that a test may crash. */
export interface StackProcess {
  apiUrl: string;
  port: number;
  /** The dev-user token of the banner. */
  token: string;
  /** Everything printed so far. */
  output(): string;
  /** SIGKILLs the whole process tree at once; resolves when all of it is gone, with any survivor. */
  crash(): Promise<{ survivors: number[]; stillListening: boolean }>;
  /** SIGTERM (Ctrl-C) and wait for exit; reports leftovers. */
  stop(): Promise<{ code: number | null; survivors: number[]; stillListening: boolean }>;
}

/** Starts what `npm start` runs on `env`'s DATA_DIR and waits for its ready banner. */
export async function startStackProcess(env: { DATA_DIR: string } & Record<string, string>): Promise<StackProcess> {
  const stack: LaunchedStack = await launchLocalStack({ dataDir: env.DATA_DIR, env });
  return {
    apiUrl: stack.apiUrl,
    port: stack.port,
    token: stack.token,
    output: stack.output,
    async crash() {
      const survivors = await stack.kill();
      return { survivors, stillListening: await stillListening(stack.port) };
    },
    async stop() {
      const { code, leftoverPids } = await stack.stop();
      return { code, survivors: leftoverPids, stillListening: await stillListening(stack.port) };
    },
  };
}

/**
 * Whether the port still accepts connections 3 s on. A killed process's threads may still be
 * tearing down (its sockets with them) when its main thread already shows as a zombie.
 */
async function stillListening(port: number): Promise<boolean> {
  const deadline = Date.now() + 3_000;
  while (await isListening(port)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
