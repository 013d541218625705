import { createHash } from 'node:crypto';

/*
 * Hand-written: helmet and similar middleware set a fixed policy but do not hash a page's inline
 * blocks. The page is our own single file (local/web/index.html), so finding its <script> and
 * <style> blocks needs no HTML parser, and hashing them at serve time keeps the policy right
 * after every edit of the page.
 */

/** The inline blocks of a tag in a page of ours: what is between `<tag>` (without attributes) and `</tag>`. */
function inlineBlocks(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
}

/** A CSP hash source of a block's exact text. */
function hashSource(block: string): string {
  return `'sha256-${createHash('sha256').update(block, 'utf8').digest('base64')}'`;
}

/**
 * The security headers of the local web page (it carries a 30-day token): a Content-Security-Policy
 * that runs only the page's own inline script and style (by hash), talks only to its own origin and
 * cannot be framed, plus `nosniff` and no Referer.
 */
export function webPageHeaders(html: string): Record<string, string> {
  const scripts = inlineBlocks(html, 'script').map(hashSource);
  const styles = inlineBlocks(html, 'style').map(hashSource);
  const policy = [
    "default-src 'none'",
    `script-src ${scripts.join(' ') || "'none'"}`,
    `style-src ${styles.join(' ') || "'none'"}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}
