import { randomUUID } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

/** The parts of a chat completions request body the server reads. */
export interface ChatCompletionBody {
  model?: string;
  messages?: { role?: string; content?: unknown }[];
  response_format?: { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: Record<string, unknown> } };
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  reasoning_effort?: string;
  service_tier?: string;
  [key: string]: unknown;
}

/** An OpenAI error body: `{ error: { message, type, param, code } }`. */
export interface ApiError {
  message: string;
  type?: string;
  param?: string | null;
  code?: string | null;
}

/** The OpenAI error body as the API sends it. */
export function errorBody(error: ApiError) {
  return {
    error: { message: error.message, type: error.type ?? 'invalid_request_error', param: error.param ?? null, code: error.code ?? null },
  };
}

/**
 * Tokens a chat message costs around its content in OpenAI's chat format (`<|im_start|>role`,
 * separator, `<|im_end|>`), and the tokens that prime the answer; as OpenAI's cookbook counts them.
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PRIMING_THE_ANSWER = 3;

/**
 * The prompt tokens of a request as OpenAI bills them, counted with o200k_base, the tokenizer of
 * OpenAI's GPT-4o, o-series and GPT-5 families (gpt-tokenizer, pinned; OpenAI publishes no
 * separate one for gpt-6): the messages in the chat format plus the structured-output JSON
 * schema, which OpenAI also puts in front of the model (and bills) with a json_schema
 * response_format.
 */
export function promptTokensOf(request: { messages?: { role?: string; content?: unknown }[]; response_format?: unknown }): number {
  const messages = (request.messages ?? []).reduce(
    (sum, message) => sum + TOKENS_PER_MESSAGE + countTokens(message.role ?? '') + countTokens(textOf(message.content)),
    0,
  );
  const schema = request.response_format ? countTokens(JSON.stringify(request.response_format)) : 0;
  return messages + TOKENS_PRIMING_THE_ANSWER + schema;
}

/** The completion tokens of an answer's text, counted like the prompt (o200k_base). */
export function completionTokensOf(text: string): number {
  return countTokens(text);
}

/** Our prompt sends `{"entry": "..."}` as the last user message; any other text is the entry itself. */
export function entryOf(body: ChatCompletionBody): string {
  const text = textOf([...(body.messages ?? [])].reverse().find((message) => message.role === 'user')?.content);
  try {
    const parsed = JSON.parse(text) as { entry?: unknown };
    if (typeof parsed?.entry === 'string') return parsed.entry;
  } catch {
    // Not our prompt format: the text is the entry.
  }
  return text;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

/** A chat completion body with one choice. */
export function completionBody(options: {
  model: string;
  content: string | null;
  refusal?: string;
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; reasoning_tokens?: number };
  /** The tier that served the request, as OpenAI reports it (`default`, `flex`). */
  serviceTier: string;
}) {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: options.content, refusal: options.refusal ?? null },
        logprobs: null,
        finish_reason: options.finishReason,
      },
    ],
    usage: {
      prompt_tokens: options.usage.prompt_tokens,
      completion_tokens: options.usage.completion_tokens,
      total_tokens: options.usage.prompt_tokens + options.usage.completion_tokens,
      completion_tokens_details: { reasoning_tokens: options.usage.reasoning_tokens ?? 0 },
    },
    service_tier: options.serviceTier,
    system_fingerprint: 'model-server',
  };
}
