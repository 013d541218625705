import 'aws-sdk-client-mock-vitest/extend';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { secretsManagerApiKey } from '../../../../lambdas/tag-extraction/adapters/openai-tag-extractor.js';

const secrets = mockClient(SecretsManagerClient);

beforeAll(() => {
  process.env.AWS_REGION ??= 'eu-central-1';
});
afterEach(() => {
  secrets.reset();
});

describe('secretsManagerApiKey', () => {
  it('reads the key once for a whole cold batch of concurrent records', async () => {
    secrets.on(GetSecretValueCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ SecretString: 'sk-live' }), 20)));
    const apiKey = secretsManagerApiKey('openai-key-cold-batch', 60);

    const keys = await Promise.all(Array.from({ length: 10 }, () => apiKey()));

    expect(keys).toEqual(Array(10).fill('sk-live'));
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('tries again on the next call after a failed read', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'sk-live' });
    const apiKey = secretsManagerApiKey('openai-key-retry', 60);

    await expect(apiKey()).rejects.toThrow('throttled');
    await expect(apiKey()).resolves.toBe('sk-live');
  });

  it('fails clearly when the secret is empty', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '' });

    await expect(secretsManagerApiKey('openai-key-empty', 60)()).rejects.toThrow('secret openai-key-empty is empty');
  });
});
