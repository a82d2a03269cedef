// The handbook: chapters with a text per language, each change a new revision (the newest is the
// current text), full-text search over the current texts, and the whole book for printing.
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { Checker } from '../../platform/validate.ts';
import { refusedAddresses } from './markdown.ts';

export interface ChapterText {
  chapter_id: number;
  slug: string;
  position: number;
  revision_id: number;
  locale: Locale;
  title: string;
  body: string;
  author_label: string;
  created_at: Date;
}

/**
 * The current text of each chapter in `locale`, falling back to Ukrainian where the language has
 * none yet (the page says so). Ordered by position.
 */
export async function listChapters(db: Queryable, locale: Locale): Promise<ChapterText[]> {
  return db.query<ChapterText>(
    `SELECT DISTINCT ON (c.position, c.id) c.id AS chapter_id, c.slug, c.position, r.id AS revision_id, r.locale, r.title,
       r.body, r.author_label, r.created_at
     FROM handbook_chapters c JOIN handbook_revisions r ON r.chapter_id = c.id AND r.locale IN ($1, 'uk')
     ORDER BY c.position, c.id, (r.locale = $1) DESC, r.id DESC`,
    [locale],
  );
}

export async function getChapter(db: Queryable, slug: string, locale: Locale): Promise<ChapterText> {
  const chapter = (await listChapters(db, locale)).find((c) => c.slug === slug);
  if (!chapter) throw new NotFoundError('no such chapter');
  return chapter;
}

export interface Revision {
  id: number;
  locale: Locale;
  title: string;
  body: string;
  note: string;
  author_label: string;
  created_at: Date;
}

export async function chapterHistory(db: Queryable, slug: string): Promise<Revision[]> {
  return db.query<Revision>(
    `SELECT r.id, r.locale, r.title, r.body, r.note, r.author_label, r.created_at FROM handbook_revisions r
     JOIN handbook_chapters c ON c.id = r.chapter_id WHERE c.slug = $1 ORDER BY r.id DESC LIMIT 500`,
    [slug],
  );
}

export async function getRevision(db: Queryable, slug: string, id: number): Promise<Revision> {
  const revision = await db.one<Revision>(
    `SELECT r.id, r.locale, r.title, r.body, r.note, r.author_label, r.created_at FROM handbook_revisions r
     JOIN handbook_chapters c ON c.id = r.chapter_id WHERE c.slug = $1 AND r.id = $2`,
    [slug, id],
  );
  if (!revision) throw new NotFoundError('no such revision');
  return revision;
}

export interface ChapterInput {
  slug: string;
  locale: Locale;
  title: string;
  body: string;
  note: string;
  position: number;
}

/** An editor's text; links and images outside the rules are refused by their address. */
export function parseChapterInput(body: unknown, slugAndLocale?: { slug: string; locale: Locale }): ChapterInput {
  const check = new Checker(body);
  const input: ChapterInput = {
    slug: slugAndLocale?.slug ?? check.slug('slug'),
    locale: slugAndLocale?.locale ?? check.oneOf('locale', ['uk', 'en', 'bg'] as const) ?? 'uk',
    title: check.text('title', { required: true, max: 200 }),
    body: check.text('body', { required: true, max: 100_000 }),
    note: check.text('note', { max: 500 }),
    position: check.number('position', { integer: true, min: 0, max: 10_000 }) ?? 0,
  };
  const refused = refusedAddresses(input.body);
  if (refused.length) check.fail('body', 'handbook.errors.address', { addresses: refused.join(', ') });
  check.done();
  return input;
}

/** Saves a new revision of a chapter's text in one language (creating the chapter if new). */
export async function saveChapter(db: Queryable, actor: Actor, input: ChapterInput, create: boolean): Promise<void> {
  let chapter = await db.one<{ id: number }>('SELECT id FROM handbook_chapters WHERE slug = $1', [input.slug]);
  if (create && chapter) throw new ValidationError([{ field: 'slug', message: 'validation.slug_taken' }], 409);
  if (!chapter) {
    if (!create) throw new NotFoundError('no such chapter');
    chapter = await db.one<{ id: number }>(
      'INSERT INTO handbook_chapters (slug, position) VALUES ($1, $2) RETURNING id',
      [input.slug, input.position],
    );
  }
  const revision = await db.one<{ id: number }>(
    `INSERT INTO handbook_revisions (chapter_id, locale, title, body, note, author_user_id, author_label)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [chapter!.id, input.locale, input.title, input.body, input.note, actor.userId, actor.label],
  );
  await recordAudit(db, actor, 'handbook.revise', 'handbook_chapter', chapter!.id, null, {
    revision: revision!.id,
    locale: input.locale,
    title: input.title,
    note: input.note,
  });
}

export interface SearchHit {
  slug: string;
  title: string;
  snippet: string;
}

/** Chapters whose current text in the reader's language holds every word of the query. */
export async function searchHandbook(db: Queryable, locale: Locale, q: string): Promise<SearchHit[]> {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
  if (!words.length) return [];
  const chapters = await listChapters(db, locale);
  return chapters
    .filter((c) => {
      const text = `${c.title}\n${c.body}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .map((c) => {
      const at = c.body.toLowerCase().indexOf(words[0]!);
      const start = Math.max(0, at - 80);
      return { slug: c.slug, title: c.title, snippet: `${start ? '…' : ''}${c.body.slice(start, start + 220)}…` };
    });
}
