import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { BatchApi, BatchStatus } from '../backfill/batch-api.js';
import { EXTRACTION_ENDPOINT } from '../model-request.js';

/** OpenAI's Batch API through the SDK's files and batches resources. */
export function openAiBatchApi(client: () => Promise<OpenAI>): BatchApi {
  return {
    async submit(jsonl, metadata) {
      const openai = await client();
      const file = await openai.files.create({ file: await toFile(Buffer.from(jsonl, 'utf8'), 'backfill.jsonl'), purpose: 'batch' });
      const batch = await openai.batches.create({
        input_file_id: file.id,
        endpoint: EXTRACTION_ENDPOINT,
        completion_window: '24h',
        metadata,
      });
      return { batchId: batch.id, inputFileId: file.id, status: batch.status as BatchStatus };
    },
    async retrieve(batchId) {
      const batch = await (await client()).batches.retrieve(batchId);
      return {
        status: batch.status as BatchStatus,
        ...(batch.output_file_id ? { outputFileId: batch.output_file_id } : {}),
        ...(batch.error_file_id ? { errorFileId: batch.error_file_id } : {}),
        ...(batch.errors?.data?.length ? { failure: batch.errors.data.map((error) => `${error.code}: ${error.message}`).join('; ') } : {}),
      };
    },
    async lines(fileId) {
      const text = await (await (await client()).files.content(fileId)).text();
      return text.split('\n').filter((line) => line.trim() !== '');
    },
  };
}
