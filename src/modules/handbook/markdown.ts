// The handbook's Markdown, rendered safely: markdown-it with raw HTML off (any tag is shown as
// text), and every link and image address checked. Links may go to this site (a path), to an
// anchor, or to an http(s) or mailto address; images only to this site, which the page's CSP
// also enforces. An address that breaks the rule is reported when the text is saved, so nothing
// unsafe is ever stored, and is dropped by the renderer all the same.
import MarkdownIt from 'markdown-it';
import { trustedHtml, type SafeHtml } from '../../platform/html/html.ts';

const LINK = /^(?:\/(?!\/)|#|https?:\/\/|mailto:)/i;
const IMAGE = /^\/(?!\/)/;

export const linkAllowed = (url: string) => LINK.test(url.trim());
export const imageAllowed = (url: string) => IMAGE.test(url.trim());

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
markdown.validateLink = linkAllowed;
// Headings start at level 2 on a page whose title is the h1; images must be local.
markdown.core.ruler.push('handbook_rules', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') {
      const level = Math.min(6, Number(token.tag.slice(1)) + 1);
      token.tag = `h${level}`;
    }
    for (const child of token.children ?? [])
      if (child.type === 'image' && !imageAllowed(child.attrGet('src') ?? '')) {
        child.type = 'text';
        child.content = child.content || '';
        child.children = null;
      }
  }
});

export function renderMarkdown(text: string): SafeHtml {
  // markdown-it escapes all text and refuses raw HTML (html: false); its output is safe to embed.
  // Code blocks may scroll sideways on a phone: focusable, so the keyboard can scroll them too
  // (a literal "<pre>" in the text is escaped, so only real blocks match).
  return trustedHtml(markdown.render(text).replaceAll('<pre>', '<pre tabindex="0">'));
}

/** The addresses of a text's links and images that the rules refuse, for the editor's message. */
export function refusedAddresses(text: string): string[] {
  const refused: string[] = [];
  const walk = (tokens: ReturnType<typeof markdown.parse>) => {
    for (const token of tokens) {
      if (token.type === 'link_open') {
        const href = token.attrGet('href') ?? '';
        if (!linkAllowed(href)) refused.push(href);
      }
      if (token.type === 'image') {
        const src = token.attrGet('src') ?? '';
        if (!imageAllowed(src)) refused.push(src);
      }
      if (token.children) walk(token.children);
    }
  };
  // validateLink would drop a bad link before we see it; parse with a permissive copy to report it.
  const lenient = new MarkdownIt({ html: false, linkify: false });
  lenient.validateLink = () => true;
  walk(lenient.parse(text, {}));
  return [...new Set(refused)];
}

/** The text of a Markdown body without its markup, for search snippets. */
export function plainText(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[#*_`>|-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
