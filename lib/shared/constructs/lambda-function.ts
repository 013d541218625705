import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ESM_REQUIRE_SHIM } from './esm-require-shim.js';
import { type FunctionSettings, SYSTEM_LOG_LEVEL } from '../resource-settings.js';

/** What differs between our functions; everything else is a project default. */
export interface LambdaFunctionProps {
  /** Path of the handler module (exporting `handler`). */
  entry: string;
  description: string;
  timeout: Duration;
  memorySize?: number;
  /** X-Ray tracing (lib/shared/resource-settings.ts); active by default. */
  tracing?: FunctionSettings['tracing'];
  environment?: Record<string, string>;
  logRetentionDays: number;
  /** Concurrency reserved for (and capping) this function; unreserved when absent. */
  reservedConcurrentExecutions?: number;
  /**
   * Modules the handler loads with a dynamic import only when needed. Each is bundled into its
   * own file beside index.mjs instead of into it, so cold starts do not parse it.
   */
  lazyModules?: LazyModule[];
}

/** A module the handler imports lazily, by the specifier it uses. */
export interface LazyModule {
  /** The specifier of the dynamic import, relative to the handler (`./adapters/x.js`). */
  importPath: string;
  /** Absolute path of the module's source. */
  source: string;
}

/**
 * Our defaults for every function: Node.js 24 on arm64, an ESM bundle built by the local
 * esbuild (minified, source maps, AWS SDK bundled so cold starts do not depend on the runtime's
 * copy), JSON logs into its own log group with retention, X-Ray tracing, and a role that may
 * only write to that log group until the caller grants more (no AWS managed policy).
 */
export class LambdaFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: retentionDays(props.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const lazyModules = props.lazyModules ?? [];
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logGroup.grantWrite(role);
    const functionProps: NodejsFunctionProps = {
      role,
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      tracing: props.tracing === 'pass-through' ? Tracing.PASS_THROUGH : Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: SYSTEM_LOG_LEVEL === 'WARN' ? SystemLogLevel.WARN : SystemLogLevel.INFO,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        externalModules: lazyModules.map((module) => module.importPath),
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        ...(lazyModules.length > 0 ? { commandHooks: lazyModuleHooks(lazyModules) } : {}),
      },
    };
    super(scope, id, functionProps);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing: xray:PutTraceSegments and PutTelemetryRecords only accept Resource *.',
    });
  }
}

/**
 * Bundles each lazy module next to index.mjs with the same esbuild options, and marks the
 * asset as ESM so Node loads those `.js` files as modules.
 */
function lazyModuleHooks(lazyModules: LazyModule[]) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      ...lazyModules.map(
        (module) =>
          `"${inputDir}/node_modules/.bin/esbuild" "${module.source}" --bundle --minify --sourcemap --sources-content=false ` +
          '--platform=node --format=esm --target=node24 --main-fields=module,main --log-level=warning ' +
          `--banner:js="${ESM_REQUIRE_SHIM}" --outfile="${outputDir}/${module.importPath}"`,
      ),
      `echo '{"type":"module"}' > "${outputDir}/package.json"`,
    ],
  };
}

/** The CloudWatch retention setting for a number of days; throws for a value CloudWatch lacks. */
export function retentionDays(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((value): value is number => typeof value === 'number');
  const match = allowed.find((value) => value === days);
  if (match === undefined) throw new Error(`logRetentionDays ${days} is not a CloudWatch retention value`);
  return match as RetentionDays;
}
