/**
 * What the docs tests need of Markdown, and no more: the links of a page (outside code) and the
 * anchors its headings get. Anchors follow GitHub's rule (github-slugger): the heading's text
 * lower-cased, punctuation dropped, spaces turned into hyphens, repeats numbered `-1`, `-2`…
 */

/** A page's lines with fenced code blocks blanked, so nothing inside them counts as a link or heading. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** The heading's text as GitHub renders it: code spans, emphasis and link syntax removed. */
function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/[*_]{1,2}([^*_]+)[*_]{1,2}/g, '$1')
    .trim();
}

export function slug(text: string): string {
  return headingText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor the page's headings define, numbered as GitHub numbers repeats. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

export interface MarkdownLink {
  target: string;
  line: number;
}

/** The inline links and images of a page, outside fenced blocks and code spans. */
export function links(markdown: string): MarkdownLink[] {
  const found: MarkdownLink[] = [];
  proseLines(markdown).forEach((line, i) => {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      found.push({ target: m[1]!, line: i + 1 });
    }
  });
  return found;
}
