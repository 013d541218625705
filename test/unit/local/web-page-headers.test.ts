import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { webPageHeaders } from '../../../local/web-page-headers.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
/** One directive of a policy, e.g. `script-src`: its sources. */
const directive = (policy: string, name: string) =>
  policy
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([directiveName]) => directiveName === name)
    ?.slice(1);

describe('webPageHeaders', () => {
  it("allows exactly the page's own inline script and style, by hash, and nothing inline besides", () => {
    // Arrange
    const html = '<html><head><style>p { color: red; }</style></head><body><script>start();</script></body></html>';

    // Act
    const policy = webPageHeaders(html)['content-security-policy'] ?? '';

    // Assert
    expect(directive(policy, 'script-src')).toEqual([sha256('start();')]);
    expect(directive(policy, 'style-src')).toEqual([sha256('p { color: red; }')]);
    expect(directive(policy, 'default-src')).toEqual(["'none'"]);
    expect(policy).not.toContain('unsafe-inline');
  });

  it('follows an edit of the script: the old hash no longer runs the new text', () => {
    const before = webPageHeaders('<script>start();</script>')['content-security-policy'];
    const after = webPageHeaders('<script>start(); steal();</script>')['content-security-policy'];

    expect(after).not.toBe(before);
  });

  it('keeps the page out of frames, stops MIME sniffing and sends no Referer (the page carries a 30-day token)', () => {
    const headers = webPageHeaders('<p>page</p>');

    expect(directive(headers['content-security-policy'] ?? '', 'frame-ancestors')).toEqual(["'none'"]);
    expect(directive(headers['content-security-policy'] ?? '', 'script-src')).toEqual(["'none'"]);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
  });

  it('covers every inline block of the local web page', async () => {
    const html = await readFile(new URL('../../../local/web/index.html', import.meta.url), 'utf8');
    const policy = webPageHeaders(html)['content-security-policy'] ?? '';

    expect(directive(policy, 'script-src')).toHaveLength(html.match(/<script\b/g)?.length ?? 0);
    expect(directive(policy, 'style-src')).toHaveLength(html.match(/<style\b/g)?.length ?? 0);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/);
  });
});
