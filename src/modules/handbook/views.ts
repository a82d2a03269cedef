// Pages of the handbook: the contents with search, a chapter, its history and old revisions, the
// editor, and the whole book on one page for printing.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, type PageContext } from '../../platform/html/layout.ts';
import { textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDateTime } from '../../platform/i18n/locales.ts';
import { renderMarkdown } from './markdown.ts';
import type { ChapterText, Revision, SearchHit } from './service.ts';

type Errors = Record<string, string> | undefined;

const fallbackNote = (ctx: PageContext, chapter: ChapterText) =>
  chapter.locale !== ctx.locale
    ? html`<p class="notice info" lang="${ctx.locale}">${ctx.t('handbook.fallback')}</p>`
    : '';

export function contentsPage(
  ctx: PageContext,
  chapters: ChapterText[],
  q: string,
  hits: SearchHit[] | null,
  canEdit: boolean,
): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('handbook.title')}</h1>
<p class="lead">${t('handbook.intro')}</p>
<form method="get" action="/handbook" role="search" class="filters">
  <label for="handbook-q">${t('handbook.search')}</label>
  <input type="search" id="handbook-q" name="q" value="${q}" maxlength="200">
  <button type="submit">${t('handbook.search_button')}</button>
</form>
${
  hits
    ? html`<h2>${t('handbook.results', { count: hits.length })}</h2>${
        hits.length
          ? html`<ul class="results">${hits.map((h) => html`<li><a href="/handbook/${h.slug}">${h.title}</a><p class="hint">${h.snippet}</p></li>`)}</ul>`
          : html`<p class="empty-state">${t('handbook.no_results')}</p>`
      }`
    : ''
}
<h2>${t('handbook.contents')}</h2>
<ol>${chapters.map((c) => html`<li><a href="/handbook/${c.slug}">${c.title}</a></li>`)}</ol>
<p><a href="/academy">${t('academy.title')}</a>: ${t('academy.intro')}</p>
<p><a href="/handbook/print">${t('handbook.print')}</a>${canEdit ? html` · <a href="/handbook/new">${t('handbook.new')}</a>` : ''}</p>`;
}

export function chapterPage(ctx: PageContext, chapter: ChapterText, canEdit: boolean): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/handbook">${t('handbook.title')}</a></p>
<article class="handbook"><h1>${chapter.title}</h1>
${fallbackNote(ctx, chapter)}
${renderMarkdown(chapter.body)}</article>
<p class="hint">${t('handbook.updated', { date: formatDateTime(ctx.locale, chapter.created_at), author: chapter.author_label })}</p>
<p><a href="/handbook/${chapter.slug}/history">${t('handbook.history')}</a>${canEdit ? html` · <a href="/handbook/${chapter.slug}/edit">${t('handbook.edit')}</a>` : ''}</p>`;
}

export function printPage(ctx: PageContext, chapters: ChapterText[]): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('handbook.title')}</h1>
<nav aria-label="${t('handbook.contents')}"><ol>${chapters.map((c) => html`<li><a href="#${c.slug}">${c.title}</a></li>`)}</ol></nav>
${chapters.map(
  (c) =>
    html`<article class="handbook" id="${c.slug}"><h2>${c.title}</h2>${fallbackNote(ctx, c)}${renderMarkdown(c.body.replace(/^(#{1,5}) /gm, '#$1 '))}</article>`,
)}`;
}

export function historyPage(ctx: PageContext, slug: string, title: string, revisions: Revision[]): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/handbook/${slug}">${title}</a></p>
<h1>${t('handbook.history_of', { title })}</h1>
<table class="responsive"><caption>${t('handbook.revisions', { count: revisions.length })}</caption>
<thead><tr><th scope="col">${t('handbook.when')}</th><th scope="col">${t('handbook.language')}</th><th scope="col">${t('handbook.author')}</th><th scope="col">${t('handbook.note')}</th></tr></thead>
<tbody>${revisions.map(
    (
      r,
    ) => html`<tr><th scope="row" data-label="${t('handbook.when')}"><a href="/handbook/${slug}/revisions/${r.id}">${formatDateTime(ctx.locale, r.created_at)}</a></th>
<td data-label="${t('handbook.language')}">${r.locale}</td><td data-label="${t('handbook.author')}">${r.author_label}</td><td data-label="${t('handbook.note')}">${r.note}</td></tr>`,
  )}</tbody></table>`;
}

export function revisionPage(ctx: PageContext, slug: string, revision: Revision): SafeHtml {
  const { t } = ctx;
  return html`<p><a href="/handbook/${slug}/history">${t('handbook.history')}</a></p>
<p class="notice info">${t('handbook.old_revision', { date: formatDateTime(ctx.locale, revision.created_at), author: revision.author_label })}</p>
<article class="handbook" lang="${revision.locale}"><h1>${revision.title}</h1>${renderMarkdown(revision.body)}</article>`;
}

export function editorPage(
  ctx: PageContext,
  values: FieldValues,
  errors: Errors,
  slug: string | null,
  locale: string,
): SafeHtml {
  const { t } = ctx;
  const action = slug ? `/handbook/${slug}/edit?locale=${locale}` : '/handbook/new';
  return html`<p><a href="/handbook">${t('handbook.title')}</a></p>
<h1>${slug ? t('handbook.edit') : t('handbook.new')}</h1>
${slug ? html`<nav class="tabs" aria-label="${t('handbook.language')}"><ul>${['uk', 'en', 'bg'].map((l) => html`<li><a href="/handbook/${slug}/edit?locale=${l}"${l === locale ? html` aria-current="page"` : ''}>${l}</a></li>`)}</ul></nav>` : ''}
${errors ? html`<p class="notice error" role="alert">${errors._form ?? t('validation.fix_errors')}</p>` : ''}
<p class="hint">${t('handbook.markdown_hint')}</p>
<form method="post" action="${action}" class="stack">
${csrfField(ctx)}
${
  slug
    ? ''
    : html`${textField({ name: 'slug', label: t('handbook.slug'), values, errors, extra: html` required maxlength="80" pattern="[a-z0-9-]+"` })}
<label for="locale">${t('handbook.language')}</label><select id="locale" name="locale">${['uk', 'en', 'bg'].map((l) => html`<option value="${l}"${values.locale === l ? html` selected` : ''}>${l}</option>`)}</select>
${textField({ name: 'position', label: t('handbook.position'), values, errors, type: 'number', extra: html` min="0" max="10000"` })}`
}
${textField({ name: 'title', label: t('handbook.chapter_title'), values, errors, extra: html` required maxlength="200"` })}
${textAreaField({ name: 'body', label: t('handbook.body'), values, errors, rows: 24 })}
${textField({ name: 'note', label: t('handbook.note'), values, errors, extra: html` maxlength="500"` })}
<p><button type="submit" class="primary">${t('handbook.save')}</button></p>
</form>`;
}
