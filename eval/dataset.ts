import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** One labelled dev log: the entry text and the tags a careful human gives it. */
export const LabelledEntrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/u, 'ids are lower-case kebab-case'),
    lang: z.enum(['de', 'en']),
    entry: z.string().min(1),
    expected: z.array(z.string().trim().min(1)),
    notes: z.string(),
  })
  .strict();

/** A labelled dev log of the evaluation data set. */
export type LabelledEntry = z.infer<typeof LabelledEntrySchema>;

/** The data set is unusable; `problems` lists every bad line, not just the first. */
export class DatasetError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length} problem(s)\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'DatasetError';
  }
}

/** Parses JSONL text (one entry per line, blank lines ignored) and validates every line. */
export function parseDataset(jsonl: string, source = 'dataset'): LabelledEntry[] {
  const entries: LabelledEntry[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `line ${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      problems.push(`${where}: not JSON (${(error as Error).message})`);
      return;
    }
    const parsed = LabelledEntrySchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(entry)'} ${issue.message}`);
      problems.push(`${where}: ${issues.join('; ')}`);
      return;
    }
    if (ids.has(parsed.data.id)) problems.push(`${where}: duplicate id ${parsed.data.id}`);
    ids.add(parsed.data.id);
    entries.push(parsed.data);
  });
  if (problems.length > 0) throw new DatasetError(source, problems);
  return entries;
}

/** Reads and validates a JSONL data set file. */
export async function loadDataset(path: string): Promise<LabelledEntry[]> {
  return parseDataset(await readFile(path, 'utf8'), path);
}
