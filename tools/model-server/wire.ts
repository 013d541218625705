import { randomUUID } from 'node:crypto';

/** The parts of a chat completions request body the server reads. */
export interface ChatCompletionBody {
  model?: string;
  messages?: { role?: string; content?: unknown }[];
  response_format?: { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: Record<string, unknown> } };
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  reasoning_effort?: string;
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
  return { error: { message: error.message, type: error.type ?? 'invalid_request_error', param: error.param ?? null, code: error.code ?? null } };
}

/**
 * Rough token count of text as OpenAI's tokenizers see English/German prose: about four
 * characters per token. Good enough for a cost estimate; a real tokenizer would need its
 * vocabulary, which no offline package ships for these models.
 */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The prompt tokens of a request: the messages plus the structured-output JSON schema, which
 * OpenAI also puts in front of the model (and bills) when response_format is json_schema.
 */
export function promptTokensOf(request: { messages?: { role?: string; content?: unknown }[]; response_format?: unknown }): number {
  const messages = (request.messages ?? []).map((message) => `${message.role ?? ''}\n${textOf(message.content)}`).join('\n');
  const schema = request.response_format ? JSON.stringify(request.response_format) : '';
  return approximateTokens(messages) + approximateTokens(schema);
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
  usage: { prompt_tokens: number; completion_tokens: number };
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
    usage: { ...options.usage, total_tokens: options.usage.prompt_tokens + options.usage.completion_tokens },
    system_fingerprint: 'model-server',
  };
}
