import type { ReasoningEffort } from '../model-settings.js';

/** The sampling parameters of one chat completions request that depend on the model. */
export interface SamplingParameters {
  temperature?: number;
  reasoning_effort?: ReasoningEffort;
}

type Parameter = keyof SamplingParameters;

/** OpenAI's reasoning model families: they reject `temperature` other than 1 and take `reasoning_effort`. */
const REASONING_MODEL = /^(o\d|gpt-5|gpt-6|gpt-oss)/;

/**
 * Which sampling parameters to send to which model. Reasoning models (by OpenAI's naming) get
 * `reasoning_effort` and no `temperature`; other models get `temperature: 0` and no
 * `reasoning_effort`. A model that rejects one of them anyway (an Azure deployment with its own
 * name, a compatible server) is remembered for the container's life, so only its first request
 * pays for the lesson. Hand-written: the SDK sends what it is given and knows no model's rules.
 */
export class ModelParameters {
  private readonly rejected = new Map<string, Set<Parameter>>();

  constructor(private readonly reasoningEffort: ReasoningEffort) {}

  /** The parameters to send to `model`. */
  for(model: string): SamplingParameters {
    const rejected = this.rejected.get(model);
    const reasoning = REASONING_MODEL.test(model);
    return {
      ...(!reasoning && !rejected?.has('temperature') ? { temperature: 0 } : {}),
      ...(reasoning && !rejected?.has('reasoning_effort') ? { reasoning_effort: this.reasoningEffort } : {}),
    };
  }

  /**
   * Learns from an error: true when it is a 400 rejecting a parameter this class sent
   * (`unsupported_value` / `unsupported_parameter` / unknown argument), so a retry without it can succeed.
   */
  learn(model: string, sent: SamplingParameters, error: unknown): boolean {
    const rejectedParameter = rejectedParameterOf(error);
    if (!rejectedParameter || !(rejectedParameter in sent)) return false;
    const rejected = this.rejected.get(model) ?? new Set<Parameter>();
    rejected.add(rejectedParameter);
    this.rejected.set(model, rejected);
    return true;
  }
}

/** The parameter a 400 names, read from the OpenAI error fields (`param`, else the message). */
function rejectedParameterOf(error: unknown): Parameter | undefined {
  const { status, param, code, message } = (error ?? {}) as { status?: number; param?: unknown; code?: unknown; message?: unknown };
  if (status !== 400) return undefined;
  const named = typeof param === 'string' ? param : undefined;
  const text = typeof message === 'string' ? message : '';
  const rejection =
    code === 'unsupported_value' || code === 'unsupported_parameter' || /unsupported|unrecognized|not supported/i.test(text);
  if (!rejection) return undefined;
  for (const parameter of ['temperature', 'reasoning_effort'] as const) {
    if (named === parameter || text.includes(`'${parameter}'`) || text.includes(parameter)) return parameter;
  }
  return undefined;
}
