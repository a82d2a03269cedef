// The Data Academy: courses of lessons (a handbook chapter in its current revision, or a text of
// their own in Markdown, rendered by the handbook's safe renderer) and exercises on catalog
// datasets whose answers are checked against the one stored with the exercise; enrolments,
// progress, and the completion record with its verification code, issued in the same transaction
// as the last lesson or answer (the enrolment row is locked, so two servers cannot issue two).
import crypto from 'node:crypto';
import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit, type Actor } from '../../platform/audit.ts';
import type { CurrentUser } from '../../platform/auth.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { Checker } from '../../platform/validate.ts';
import { refusedAddresses } from '../handbook/markdown.ts';
import { getChapter } from '../handbook/service.ts';
import { mayOrganizeCourseFor } from './policy.ts';

type Localized<P extends string> = { [K in `${P}_${Locale}`]: string };

export const local = <P extends string>(row: Localized<P>, prefix: P, locale: Locale): string =>
  row[`${prefix}_${locale}` as `${P}_${Locale}`] || row[`${prefix}_uk` as `${P}_${Locale}`];

export interface Course extends Localized<'title'>, Localized<'description'> {
  id: number;
  slug: string;
  organization_id: number | null;
  organizer_user_id: number | null;
  organization_slug: string | null;
  organization_name_uk: string | null;
  organization_name_en: string | null;
  organization_name_bg: string | null;
  organizer_name: string | null;
  lessons: number;
  exercises: number;
  learners: number;
  created_at: Date;
}

const COURSE_SELECT = `SELECT c.id, c.slug, c.title_uk, c.title_en, c.title_bg, c.description_uk, c.description_en,
  c.description_bg, c.organization_id, c.organizer_user_id, o.slug AS organization_slug,
  o.name_uk AS organization_name_uk, o.name_en AS organization_name_en, o.name_bg AS organization_name_bg,
  u.display_name AS organizer_name, c.created_at,
  (SELECT count(*)::int FROM academy_lessons l WHERE l.course_id = c.id) AS lessons,
  (SELECT count(*)::int FROM academy_exercises x WHERE x.course_id = c.id) AS exercises,
  (SELECT count(*)::int FROM academy_enrolments e WHERE e.course_id = c.id) AS learners
  FROM academy_courses c LEFT JOIN organizations o ON o.id = c.organization_id
  LEFT JOIN users u ON u.id = c.organizer_user_id`;

export function organizerName(course: Course, locale: Locale): string {
  if (course.organization_id !== null)
    return (
      (course[`organization_name_${locale}`] as string | null) ??
      course.organization_name_uk ??
      course.organizer_name ??
      ''
    );
  return course.organizer_name ?? '';
}

export async function listCourses(
  db: Queryable,
  page: { limit: number; offset: number },
): Promise<{ items: Course[]; total: number }> {
  const [items, total] = await Promise.all([
    db.query<Course>(`${COURSE_SELECT} ORDER BY c.created_at DESC, c.id DESC LIMIT $1 OFFSET $2`, [
      page.limit,
      page.offset,
    ]),
    db.one<{ n: number }>('SELECT count(*)::int AS n FROM academy_courses'),
  ]);
  return { items, total: total!.n };
}

export async function getCourse(db: Queryable, slug: string): Promise<Course> {
  const course = await db.one<Course>(`${COURSE_SELECT} WHERE c.slug = $1`, [slug]);
  if (!course) throw new NotFoundError('no such course');
  return course;
}

export async function coursesOfEvent(db: Queryable, eventId: number): Promise<Course[]> {
  return db.query<Course>(
    `${COURSE_SELECT} WHERE c.id IN (SELECT course_id FROM academy_course_events WHERE event_id = $1) ORDER BY c.id`,
    [eventId],
  );
}

// ---- Lessons ----

export interface Lesson extends Localized<'title'>, Localized<'body'> {
  id: number;
  course_id: number;
  position: number;
  handbook_slug: string | null;
}

/** A lesson as the reader sees it: a handbook chapter's current text, or the lesson's own. */
export interface LessonText {
  lesson: Lesson;
  title: string;
  markdown: string;
  /** The language the text is in (a chapter or lesson not yet translated falls back to Ukrainian). */
  locale: Locale;
}

export async function courseLessons(db: Queryable, courseId: number): Promise<Lesson[]> {
  return db.query<Lesson>('SELECT * FROM academy_lessons WHERE course_id = $1 ORDER BY position', [courseId]);
}

export async function lessonText(db: Queryable, lesson: Lesson, locale: Locale): Promise<LessonText> {
  if (lesson.handbook_slug) {
    const chapter = await getChapter(db, lesson.handbook_slug, locale);
    return { lesson, title: chapter.title, markdown: chapter.body, locale: chapter.locale };
  }
  const own = lesson[`body_${locale}`] ? locale : 'uk';
  return { lesson, title: local(lesson, 'title', own), markdown: lesson[`body_${own}`], locale: own };
}

/** Every lesson's title in the reader's language, for contents and prev/next links. */
export async function lessonTitles(db: Queryable, lessons: Lesson[], locale: Locale): Promise<string[]> {
  return Promise.all(lessons.map(async (l) => (await lessonText(db, l, locale)).title));
}

// ---- Exercises ----

export interface Exercise extends Localized<'title'>, Localized<'question'> {
  id: number;
  course_id: number;
  position: number;
  dataset_id: number;
  dataset_name: string;
  dataset_title_uk: string;
  dataset_title_en: string;
  dataset_title_bg: string;
  resource_id: string | null;
  resource_name: string | null;
  datastore_active: boolean;
  answer_kind: 'number' | 'text';
  expected_answer: string;
  tolerance: string;
}

export async function courseExercises(db: Queryable, courseId: number): Promise<Exercise[]> {
  return db.query<Exercise>(
    `SELECT x.*, x.tolerance::text AS tolerance, d.name AS dataset_name, d.title_uk AS dataset_title_uk,
       d.title_en AS dataset_title_en, d.title_bg AS dataset_title_bg, r.name AS resource_name,
       (r.datastore_table IS NOT NULL) AS datastore_active
     FROM academy_exercises x JOIN datasets d ON d.id = x.dataset_id LEFT JOIN resources r ON r.id = x.resource_id
     WHERE x.course_id = $1 ORDER BY x.position`,
    [courseId],
  );
}

/** A number as people type it: spaces or no-break spaces between thousands, a decimal comma or point. */
export function parseNumber(text: string): number | null {
  const cleaned = text
    .trim()
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(',', '.');
  if (!/^[-+]?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

const normalText = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[’'`]/g, '’');

/**
 * Whether an answer is right. A number must be within the exercise's tolerance of the expected
 * one; a text must equal it (or one of its forms separated by "|") ignoring case, spacing and
 * the kind of apostrophe.
 */
export function isCorrect(exercise: Pick<Exercise, 'answer_kind' | 'expected_answer' | 'tolerance'>, answer: string) {
  if (exercise.answer_kind === 'number') {
    const given = parseNumber(answer);
    const expected = parseNumber(exercise.expected_answer);
    if (given === null || expected === null) return false;
    return Math.abs(given - expected) <= Number(exercise.tolerance) + 1e-9;
  }
  const given = normalText(answer);
  return exercise.expected_answer.split('|').some((form) => normalText(form) === given);
}

// ---- Events ----

export interface CourseEvent {
  id: number;
  kind: string;
  title: string;
  starts_at: Date;
  ends_at: Date;
  time_zone: string;
}

export async function courseEvents(db: Queryable, courseId: number): Promise<CourseEvent[]> {
  return db.query<CourseEvent>(
    `SELECT e.id, e.kind, e.title, e.starts_at, e.ends_at, e.time_zone FROM academy_course_events ce
     JOIN community_events e ON e.id = ce.event_id WHERE ce.course_id = $1 AND e.cancelled_at IS NULL
     ORDER BY e.starts_at`,
    [courseId],
  );
}

/** Trainings and meetups a course may belong to (not cancelled), latest first. */
export async function eventChoices(db: Queryable): Promise<{ id: number; title: string; starts_at: Date }[]> {
  return db.query(
    `SELECT id, title, starts_at FROM community_events WHERE kind IN ('training', 'meetup') AND cancelled_at IS NULL
     ORDER BY starts_at DESC LIMIT 200`,
  );
}

// ---- Authoring ----

/** Markdown is held to the handbook's rules: a link or image address they refuse is named. */
function markdownAddresses(check: Checker, field: string, text: string): void {
  const refused = refusedAddresses(text);
  if (refused.length) check.fail(field, 'handbook.errors.address', { addresses: refused.join(', ') });
}

export interface CourseInput extends Localized<'title'>, Localized<'description'> {
  slug: string;
  organization_id: number | null;
  event_ids: number[];
}

const LOCALES: Locale[] = ['uk', 'en', 'bg'];

const ids = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map((v) => String(v));

const RESERVED_SLUGS = new Set(['new', 'certificates']);

export async function parseCourseInput(
  db: Queryable,
  body: unknown,
  user: CurrentUser,
  existing?: Course,
): Promise<CourseInput> {
  const check = new Checker(body);
  const input = {
    slug: existing?.slug ?? check.slug('slug'),
    organization_id: null as number | null,
    event_ids: [] as number[],
  } as CourseInput;
  // Addresses of the academy's own pages (/academy/new, /academy/certificates/…) are no course's.
  if (!existing && RESERVED_SLUGS.has(input.slug)) check.fail('slug', 'validation.slug_taken');
  for (const l of LOCALES) {
    input[`title_${l}`] = check.text(`title_${l}`, { required: true, max: 200 });
    input[`description_${l}`] = check.text(`description_${l}`, { max: 5000 });
    markdownAddresses(check, `description_${l}`, input[`description_${l}`]);
  }
  const org = check.number('organization', { integer: true, min: 1, max: 2_147_483_647 });
  // Out of range, the checker has already said so: the number never reaches the database.
  const orgInRange = org !== null && Number.isSafeInteger(org) && org >= 1 && org <= 2_147_483_647;
  if (org !== null && !orgInRange) {
    // the checker's own problem stands
  } else if (org !== null) {
    if (!(await db.one('SELECT 1 FROM organizations WHERE id = $1', [org])))
      check.fail('organization', 'academy.errors.organization');
    else if (!mayOrganizeCourseFor(user, org) && org !== existing?.organization_id)
      check.fail('organization', 'academy.errors.not_member');
    else input.organization_id = org;
  } else if (!user.isAdmin && !existing) check.fail('organization', 'validation.required');
  const events = ids((body as Record<string, unknown> | null)?.events);
  if (events.length > 50) check.fail('events', 'validation.too_long', { max: 50 });
  const eventIds = events.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647);
  if (eventIds.length !== events.length) check.fail('events', 'academy.errors.event');
  else if (eventIds.length) {
    const found = await db.query<{ id: number }>(
      `SELECT id FROM community_events WHERE id = ANY($1::int[]) AND kind IN ('training', 'meetup')`,
      [eventIds],
    );
    if (found.length !== new Set(eventIds).size) check.fail('events', 'academy.errors.event');
    input.event_ids = [...new Set(eventIds)];
  }
  check.done();
  return input;
}

async function saveEvents(db: Queryable, courseId: number, eventIds: number[]) {
  await db.query('DELETE FROM academy_course_events WHERE course_id = $1', [courseId]);
  if (eventIds.length)
    await db.query(
      'INSERT INTO academy_course_events (course_id, event_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING',
      [courseId, eventIds],
    );
}

export async function createCourse(db: Queryable, actor: Actor, input: CourseInput): Promise<number> {
  if (await db.one('SELECT 1 FROM academy_courses WHERE slug = $1', [input.slug]))
    throw new ValidationError([{ field: 'slug', message: 'validation.slug_taken' }], 409);
  const row = await db.one<{ id: number }>(
    `INSERT INTO academy_courses (slug, title_uk, title_en, title_bg, description_uk, description_en, description_bg,
       organization_id, organizer_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      input.slug,
      input.title_uk,
      input.title_en,
      input.title_bg,
      input.description_uk,
      input.description_en,
      input.description_bg,
      input.organization_id,
      input.organization_id === null ? actor.userId : null,
    ],
  );
  await saveEvents(db, row!.id, input.event_ids);
  await recordAudit(db, actor, 'academy.course_create', 'academy_course', row!.id, null, input);
  return row!.id;
}

export async function updateCourse(db: Queryable, actor: Actor, course: Course, input: CourseInput): Promise<void> {
  const before = await db.one('SELECT * FROM academy_courses WHERE id = $1 FOR UPDATE', [course.id]);
  await db.query(
    `UPDATE academy_courses SET title_uk = $2, title_en = $3, title_bg = $4, description_uk = $5, description_en = $6,
       description_bg = $7, organization_id = coalesce($8, organization_id) WHERE id = $1`,
    [
      course.id,
      input.title_uk,
      input.title_en,
      input.title_bg,
      input.description_uk,
      input.description_en,
      input.description_bg,
      input.organization_id,
    ],
  );
  await saveEvents(db, course.id, input.event_ids);
  await recordAudit(db, actor, 'academy.course_update', 'academy_course', course.id, before, input);
}

export interface LessonInput extends Localized<'title'>, Localized<'body'> {
  handbook_slug: string | null;
}

export async function parseLessonInput(db: Queryable, body: unknown): Promise<LessonInput> {
  const check = new Checker(body);
  const input = { handbook_slug: null } as LessonInput;
  const slug = check.text('handbook', { max: 80 });
  for (const l of LOCALES) {
    input[`title_${l}`] = check.text(`title_${l}`, { max: 200 });
    input[`body_${l}`] = check.text(`body_${l}`, { max: 100_000 });
    markdownAddresses(check, `body_${l}`, input[`body_${l}`]);
  }
  if (slug) {
    if (!(await db.one('SELECT 1 FROM handbook_chapters WHERE slug = $1', [slug])))
      check.fail('handbook', 'academy.errors.chapter');
    else input.handbook_slug = slug;
  } else {
    if (!input.title_uk) check.fail('title_uk', 'academy.errors.lesson_needs_text');
    if (!input.body_uk) check.fail('body_uk', 'academy.errors.lesson_needs_text');
  }
  check.done();
  return input;
}

/** Records a lesson or exercise added at `position`, and returns the position. */
async function audited(
  db: Queryable,
  actor: Actor,
  action: string,
  course: Course,
  position: number,
  details: Record<string, unknown>,
): Promise<number> {
  await recordAudit(db, actor, action, 'academy_course', course.id, null, { position, ...details });
  return position;
}

/** Appends a lesson to the course (the course row is locked so two editors get two positions). */
export async function addLesson(db: Queryable, actor: Actor, course: Course, input: LessonInput): Promise<number> {
  await db.query('SELECT id FROM academy_courses WHERE id = $1 FOR UPDATE', [course.id]);
  const row = await db.one<{ position: number }>(
    `INSERT INTO academy_lessons (course_id, position, handbook_slug, title_uk, title_en, title_bg, body_uk, body_en, body_bg)
     VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM academy_lessons WHERE course_id = $1), $2, $3, $4, $5, $6, $7, $8)
     RETURNING position`,
    [
      course.id,
      input.handbook_slug,
      input.title_uk,
      input.title_en,
      input.title_bg,
      input.body_uk,
      input.body_en,
      input.body_bg,
    ],
  );
  return audited(db, actor, 'academy.lesson_add', course, row!.position, {
    handbook: input.handbook_slug,
    title: input.title_uk,
  });
}

export interface ExerciseInput extends Localized<'title'>, Localized<'question'> {
  dataset_id: number;
  resource_id: string | null;
  answer_kind: 'number' | 'text';
  expected_answer: string;
  tolerance: number;
}

export async function parseExerciseInput(db: Queryable, body: unknown): Promise<ExerciseInput> {
  const check = new Checker(body);
  const input = {} as ExerciseInput;
  for (const l of LOCALES) {
    input[`title_${l}`] = check.text(`title_${l}`, { required: true, max: 200 });
    input[`question_${l}`] = check.text(`question_${l}`, { required: true, max: 5000 });
    markdownAddresses(check, `question_${l}`, input[`question_${l}`]);
  }
  input.answer_kind = check.oneOf('answer_kind', ['number', 'text'] as const) ?? 'text';
  input.expected_answer = check.text('expected_answer', { required: true, max: 200 });
  input.tolerance = check.number('tolerance', { min: 0, max: 1e12 }) ?? 0;
  if (input.answer_kind === 'number' && input.expected_answer && parseNumber(input.expected_answer) === null)
    check.fail('expected_answer', 'validation.number');
  const datasetName = check.text('dataset', { required: true, max: 100 });
  const resource = check.text('resource', { max: 36 });
  if (datasetName) {
    // Only a published dataset: a learner must be able to open it.
    const dataset = await db.one<{ id: number }>(`SELECT id FROM datasets WHERE name = $1 AND state = 'published'`, [
      datasetName,
    ]);
    if (!dataset) check.fail('dataset', 'academy.errors.dataset');
    else {
      input.dataset_id = dataset.id;
      input.resource_id = null;
      if (resource) {
        const found = /^[0-9a-f-]{36}$/i.test(resource)
          ? await db.one('SELECT 1 FROM resources WHERE id = $1 AND dataset_id = $2', [resource, dataset.id])
          : undefined;
        if (!found) check.fail('resource', 'academy.errors.resource');
        else input.resource_id = resource.toLowerCase();
      }
    }
  }
  check.done();
  return input;
}

export async function addExercise(db: Queryable, actor: Actor, course: Course, input: ExerciseInput): Promise<number> {
  await db.query('SELECT id FROM academy_courses WHERE id = $1 FOR UPDATE', [course.id]);
  const row = await db.one<{ position: number }>(
    `INSERT INTO academy_exercises (course_id, position, dataset_id, resource_id, title_uk, title_en, title_bg,
       question_uk, question_en, question_bg, answer_kind, expected_answer, tolerance)
     VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM academy_exercises WHERE course_id = $1),
       $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING position`,
    [
      course.id,
      input.dataset_id,
      input.resource_id,
      input.title_uk,
      input.title_en,
      input.title_bg,
      input.question_uk,
      input.question_en,
      input.question_bg,
      input.answer_kind,
      input.expected_answer,
      input.tolerance,
    ],
  );
  return audited(db, actor, 'academy.exercise_add', course, row!.position, {
    dataset_id: input.dataset_id,
    title: input.title_uk,
  });
}

/**
 * Removes a lesson or an exercise (with the progress and answers recorded on it); completion
 * records already issued stay valid. Audited.
 */
export async function removeStep(
  db: Queryable,
  actor: Actor,
  course: Course,
  kind: 'lessons' | 'exercises',
  position: number,
): Promise<void> {
  const table = kind === 'lessons' ? 'academy_lessons' : 'academy_exercises';
  const removed = await db.one<{ id: number }>(
    `DELETE FROM ${table} WHERE course_id = $1 AND position = $2 RETURNING id`,
    [course.id, position],
  );
  if (!removed) throw new NotFoundError(kind === 'lessons' ? 'no such lesson' : 'no such exercise');
  await recordAudit(
    db,
    actor,
    `academy.${kind === 'lessons' ? 'lesson' : 'exercise'}_remove`,
    'academy_course',
    course.id,
    { position },
    null,
  );
}

// ---- Learning ----

export interface Enrolment {
  course_id: number;
  user_id: number;
  enrolled_at: Date;
  completed_at: Date | null;
  certificate_code: string | null;
}

export async function enrolmentOf(db: Queryable, courseId: number, userId: number): Promise<Enrolment | undefined> {
  return db.one<Enrolment>('SELECT * FROM academy_enrolments WHERE course_id = $1 AND user_id = $2', [
    courseId,
    userId,
  ]);
}

export async function enrol(db: Queryable, courseId: number, userId: number, now: Date): Promise<void> {
  await db.query(
    'INSERT INTO academy_enrolments (course_id, user_id, enrolled_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [courseId, userId, now],
  );
}

async function lockedEnrolment(db: Queryable, courseId: number, userId: number): Promise<Enrolment> {
  const enrolment = await db.one<Enrolment>(
    'SELECT * FROM academy_enrolments WHERE course_id = $1 AND user_id = $2 FOR UPDATE',
    [courseId, userId],
  );
  if (!enrolment) throw new ForbiddenError('enrol in the course first');
  return enrolment;
}

export interface Progress {
  lessonsDone: Set<number>;
  answers: Map<number, { answer: string; correct: boolean; attempts: number }>;
  lessons: number;
  exercises: number;
  done: number;
  total: number;
}

export async function progressOf(db: Queryable, courseId: number, userId: number): Promise<Progress> {
  const [lessons, answers, counts] = await Promise.all([
    db.query<{ lesson_id: number }>(
      `SELECT p.lesson_id FROM academy_lesson_progress p JOIN academy_lessons l ON l.id = p.lesson_id
       WHERE l.course_id = $1 AND p.user_id = $2`,
      [courseId, userId],
    ),
    db.query<{ exercise_id: number; answer: string; correct: boolean; attempts: number }>(
      `SELECT a.exercise_id, a.answer, a.correct, a.attempts FROM academy_answers a
       JOIN academy_exercises x ON x.id = a.exercise_id WHERE x.course_id = $1 AND a.user_id = $2`,
      [courseId, userId],
    ),
    db.one<{ lessons: number; exercises: number }>(
      `SELECT (SELECT count(*)::int FROM academy_lessons WHERE course_id = $1) AS lessons,
         (SELECT count(*)::int FROM academy_exercises WHERE course_id = $1) AS exercises`,
      [courseId],
    ),
  ]);
  const correct = answers.filter((a) => a.correct).length;
  return {
    lessonsDone: new Set(lessons.map((l) => l.lesson_id)),
    answers: new Map(answers.map((a) => [a.exercise_id, a])),
    lessons: counts!.lessons,
    exercises: counts!.exercises,
    done: lessons.length + correct,
    total: counts!.lessons + counts!.exercises,
  };
}

/**
 * Issues the completion record once every lesson is done and every exercise answered right.
 * Runs with the enrolment row locked (by the caller's transaction), so it is issued once.
 */
async function completeIfDone(db: Queryable, enrolment: Enrolment, learnerName: string, now: Date): Promise<boolean> {
  if (enrolment.completed_at) return false;
  const progress = await progressOf(db, enrolment.course_id, enrolment.user_id);
  if (progress.total === 0 || progress.done < progress.total) return false;
  const code = crypto.randomBytes(10).toString('hex').slice(0, 16);
  await db.query(
    `UPDATE academy_enrolments SET completed_at = $3, certificate_code = $4, learner_name = $5
     WHERE course_id = $1 AND user_id = $2`,
    [enrolment.course_id, enrolment.user_id, now, code, learnerName],
  );
  return true;
}

export async function markLessonDone(
  db: Queryable,
  lesson: Lesson,
  user: { id: number; displayName: string },
  now: Date,
): Promise<boolean> {
  const enrolment = await lockedEnrolment(db, lesson.course_id, user.id);
  await db.query(
    'INSERT INTO academy_lesson_progress (lesson_id, user_id, done_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [lesson.id, user.id, now],
  );
  return completeIfDone(db, enrolment, user.displayName, now);
}

export async function answerExercise(
  db: Queryable,
  exercise: Exercise,
  user: { id: number; displayName: string },
  body: unknown,
  now: Date,
): Promise<{ correct: boolean; completed: boolean }> {
  const check = new Checker(body);
  const answer = check.text('answer', { required: true, max: 200 });
  if (answer && exercise.answer_kind === 'number' && parseNumber(answer) === null)
    check.fail('answer', 'academy.errors.answer_number');
  check.done();
  const enrolment = await lockedEnrolment(db, exercise.course_id, user.id);
  const previous = await db.one<{ correct: boolean }>(
    'SELECT correct FROM academy_answers WHERE exercise_id = $1 AND user_id = $2',
    [exercise.id, user.id],
  );
  // A right answer stays right: trying again afterwards cannot undo a step already done.
  const correct = isCorrect(exercise, answer);
  await db.query(
    `INSERT INTO academy_answers (exercise_id, user_id, answer, correct, answered_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (exercise_id, user_id) DO UPDATE SET answer = CASE WHEN academy_answers.correct THEN academy_answers.answer ELSE $3 END,
       correct = academy_answers.correct OR $4, attempts = academy_answers.attempts + 1, answered_at = $5`,
    [exercise.id, user.id, answer, correct, now],
  );
  const completed = correct || previous?.correct ? await completeIfDone(db, enrolment, user.displayName, now) : false;
  return { correct, completed };
}

// ---- Organisers and verification ----

export interface Learner {
  user_id: number;
  display_name: string;
  email: string;
  enrolled_at: Date;
  completed_at: Date | null;
  certificate_code: string | null;
  lessons_done: number;
  exercises_correct: number;
}

export async function listLearners(
  db: Queryable,
  courseId: number,
  page: { limit: number; offset: number },
): Promise<{ items: Learner[]; total: number }> {
  const [items, total] = await Promise.all([
    db.query<Learner>(
      `SELECT e.user_id, u.display_name, u.email, e.enrolled_at, e.completed_at, e.certificate_code,
         (SELECT count(*)::int FROM academy_lesson_progress p JOIN academy_lessons l ON l.id = p.lesson_id
          WHERE l.course_id = e.course_id AND p.user_id = e.user_id) AS lessons_done,
         (SELECT count(*)::int FROM academy_answers a JOIN academy_exercises x ON x.id = a.exercise_id
          WHERE x.course_id = e.course_id AND a.user_id = e.user_id AND a.correct) AS exercises_correct
       FROM academy_enrolments e JOIN users u ON u.id = e.user_id WHERE e.course_id = $1
       ORDER BY e.enrolled_at, e.user_id LIMIT $2 OFFSET $3`,
      [courseId, page.limit, page.offset],
    ),
    db.one<{ n: number }>('SELECT count(*)::int AS n FROM academy_enrolments WHERE course_id = $1', [courseId]),
  ]);
  return { items, total: total!.n };
}

export interface Certificate {
  code: string;
  learner_name: string;
  completed_at: Date;
  course: Course;
}

export async function getCertificate(db: Queryable, code: string): Promise<Certificate> {
  const row = await db.one<{ certificate_code: string; learner_name: string; completed_at: Date; slug: string }>(
    `SELECT e.certificate_code, e.learner_name, e.completed_at, c.slug FROM academy_enrolments e
     JOIN academy_courses c ON c.id = e.course_id WHERE e.certificate_code = $1`,
    [code],
  );
  if (!row) throw new NotFoundError('no completion record has this code');
  return {
    code: row.certificate_code,
    learner_name: row.learner_name,
    completed_at: row.completed_at,
    course: await getCourse(db, row.slug),
  };
}

/** A learner's courses, for the dashboard. */
export async function myCourses(
  db: Queryable,
  userId: number,
): Promise<
  (Localized<'title'> & {
    slug: string;
    completed_at: Date | null;
    certificate_code: string | null;
    course_id: number;
  })[]
> {
  return db.query(
    `SELECT c.id AS course_id, c.slug, c.title_uk, c.title_en, c.title_bg, e.completed_at, e.certificate_code
     FROM academy_enrolments e JOIN academy_courses c ON c.id = e.course_id WHERE e.user_id = $1
     ORDER BY e.completed_at IS NOT NULL, e.enrolled_at DESC LIMIT 20`,
    [userId],
  );
}

/** The courses a person organises (through an organisation they belong to, or as the account), for the dashboard. */
export async function organisedCourses(
  db: Queryable,
  userId: number,
  organizationIds: number[],
): Promise<(Localized<'title'> & { slug: string; learners: number })[]> {
  return db.query(
    `SELECT c.slug, c.title_uk, c.title_en, c.title_bg,
       (SELECT count(*)::int FROM academy_enrolments e WHERE e.course_id = c.id) AS learners
     FROM academy_courses c WHERE c.organization_id = ANY($1::int[]) OR c.organizer_user_id = $2
     ORDER BY c.created_at DESC, c.id DESC LIMIT 20`,
    [organizationIds, userId],
  );
}
