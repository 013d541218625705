import type { Answer } from '../../tools/tag-extraction/model-server/index.js';
/*
 * Dev-log entries for the fault, load and duplicate tests: each names a few technologies from
 * a fixed vocabulary and carries a unique marker, so the test model server can answer for it
 * and a test knows exactly which tags the entry must end up with.
 */

/** Technologies the test entries name; none is a part of another, so a substring test finds them. */
export const VOCABULARY = [
  'Django',
  'Elasticsearch',
  'PostgreSQL',
  'Redis',
  'Kafka',
  'React',
  'TypeScript',
  'Terraform',
  'Kubernetes',
  'RabbitMQ',
  'GraphQL',
  'Docker',
  'Rust',
  'ImaginaryNoneExistence Cloud',
  'Svelte',
  'DynamoDB',
] as const;

/** What the test model always adds although no entry names it: grounding must drop it. */
export const HALLUCINATED_TECHNOLOGY = 'Hadoop';

const TEMPLATES = [
  (marker: string, names: string[]) => `${marker}: Heute habe ich eine Anwendung mit ${names.join(' und ')} gebaut.`,
  (marker: string, names: string[]) => `${marker}: Spent the day wiring ${names.join(', ')} together; tests are green.`,
  (marker: string, names: string[]) => `${marker}: Migration nach ${names.join(' + ')} fertig, morgen Review.`,
];

/** A test entry and the tags it must end up with. */
export interface TestEntry {
  text: string;
  expectedTags: string[];
}

/** `count` distinct entries, each naming 1 to 3 technologies; `run` keeps markers unique across runs. */
export function testEntries(count: number, run: string): TestEntry[] {
  return Array.from({ length: count }, (_, index) => {
    const names = [
      ...new Set([0, 1, 2].slice(0, 1 + (index % 3)).map((offset) => VOCABULARY[(index * 5 + offset * 7) % VOCABULARY.length]!)),
    ];
    const template = TEMPLATES[index % TEMPLATES.length]!;
    return { text: template(`[${run}#${index}]`, names), expectedTags: names };
  });
}

/** The vocabulary's technologies in the text, in the order the text names them. */
export function technologiesIn(text: string): string[] {
  return VOCABULARY.filter((name) => text.includes(name)).sort((a, b) => text.indexOf(a) - text.indexOf(b));
}

/** The model name the fault and load suites configure, so tests can see which server tagged an entry. */
export const TEST_MODEL = 'test-model';

/** Retries after half a second, doubling up to 2 s, so the fault suites settle in seconds. */
export const QUICK_RETRIES = { RETRY_BASE_SECONDS: '0.5', RETRY_MAX_SECONDS: '2' };

/** A local stack's settings for the model of a test model server. */
export function testModelEnv(model: { baseUrl: string }): Record<string, string> {
  return { OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: TEST_MODEL };
}

/**
 * The model answer of the fault and load suites: the vocabulary's technologies in the entry, in
 * the entry's order, plus one it never names (which the extraction's grounding must drop).
 */
export const vocabularyAnswer: Answer = ({ entry }) => ({ technologies: [...technologiesIn(entry), HALLUCINATED_TECHNOLOGY] });
