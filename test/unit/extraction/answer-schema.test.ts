import { describe, expect, it } from 'vitest';
import { TechStackAnswerSchema } from '../../../lambdas/tag-extraction/answer-schema.js';

describe('TechStackAnswerSchema', () => {
  it('accepts a list of names, empty included', () => {
    expect(TechStackAnswerSchema.safeParse({ technologies: ['Django', 'ImaginaryNoneExistence Cloud'] }).success).toBe(true);
    expect(TechStackAnswerSchema.safeParse({ technologies: [] }).success).toBe(true);
  });

  it.each([
    ['a single string', { technologies: 'Django' }],
    ['objects instead of names', { technologies: [{ name: 'Django' }] }],
    ['no list', {}],
    ['null', null],
  ])('rejects %s', (_name, answer) => {
    expect(TechStackAnswerSchema.safeParse(answer).success).toBe(false);
  });
});
