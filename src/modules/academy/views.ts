// Pages of the Data Academy: the courses, a course (lessons, exercises, events, the learner's
// progress), a lesson (prev/next, mark done), an exercise (the dataset, its preview and API, the
// answer form), the organisers' learners list, the completion record, and the authoring forms.
import { html, type SafeHtml } from '../../platform/html/html.ts';
import { csrfField, pagination, type PageContext } from '../../platform/html/layout.ts';
import { selectField, textAreaField, textField, type FieldValues } from '../../platform/html/fields.ts';
import { formatDateTime } from '../../platform/i18n/locales.ts';
import { renderMarkdown } from '../handbook/markdown.ts';
import { formatSpan } from '../community/time.ts';
import {
  local,
  organizerName,
  type Course,
  type CourseEvent,
  type Enrolment,
  type Exercise,
  type Learner,
  type LessonText,
  type Progress,
  type Certificate,
} from './service.ts';

type Errors = Record<string, string> | undefined;
const LOCALES = ['uk', 'en', 'bg'] as const;

const errorNotice = (ctx: PageContext, errors: Errors) =>
  errors ? html`<p class="notice danger" role="alert">${errors._form ?? ctx.t('validation.fix_errors')}</p>` : '';

const back = (href: string, label: string) => html`<p><a href="${href}">← ${label}</a></p>`;

function progressBar(ctx: PageContext, progress: Progress): SafeHtml {
  const complete = progress.total > 0 && progress.done >= progress.total;
  return html`<p><label for="course-progress">${ctx.t('academy.progress', { done: progress.done, total: progress.total })}</label><br>
<progress id="course-progress" max="${Math.max(1, progress.total)}" value="${progress.done}"${complete ? html` class="success"` : ''}>${progress.done}/${progress.total}</progress></p>`;
}

export function coursesPage(
  ctx: PageContext,
  result: { items: Course[]; total: number },
  page: { limit: number; offset: number },
  canAuthor: boolean,
): SafeHtml {
  const { t, locale } = ctx;
  return html`<h1>${t('academy.title')}</h1>
<p class="lead">${t('academy.intro')}</p>
${canAuthor ? html`<p><a class="button" href="/academy/new">${t('academy.new_course')}</a></p>` : ''}
${
  result.items.length
    ? html`<ul class="cards">${result.items.map(
        (c) => html`<li class="card raised"><h2><a href="/academy/${c.slug}">${local(c, 'title', locale)}</a></h2>
<p>${local(c, 'description', locale).split('\n')[0]}</p>
<p class="hint">${t('academy.organiser')}: ${organizerName(c, locale)}</p>
<p class="hint">${t('academy.counts', { lessons: c.lessons, exercises: c.exercises, learners: c.learners })}</p></li>`,
      )}</ul>`
    : html`<div class="empty-state"><p>${t('academy.no_courses')}</p><p>${t('academy.no_courses_hint')}</p></div>`
}
${pagination(ctx, '/academy', {}, { ...page, total: result.total })}
<p><a href="/handbook">${t('academy.handbook_link')}</a></p>`;
}

export function coursePage(
  ctx: PageContext,
  course: Course,
  lessons: { position: number; title: string; id: number }[],
  exercises: Exercise[],
  events: CourseEvent[],
  learner: { enrolment: Enrolment | undefined; progress: Progress | null; canLearn: boolean },
  canManage: boolean,
): SafeHtml {
  const { t, locale } = ctx;
  const { enrolment, progress } = learner;
  const base = `/academy/${course.slug}`;
  const remove = (kind: 'lessons' | 'exercises', position: number, title: string) =>
    canManage
      ? html` <form method="post" action="${base}/${kind}/${position}/delete" class="inline-form">${csrfField(ctx)}<button type="submit" class="link-button" aria-label="${t('academy.remove_named', { title })}">${t('academy.remove')}</button></form>`
      : '';
  const doneMark = (done: boolean) => (done ? html` <span class="badge success">${t('academy.done')}</span>` : '');
  let enrolBlock: SafeHtml;
  if (enrolment && progress) {
    enrolBlock = html`${progressBar(ctx, progress)}${
      enrolment.certificate_code
        ? html`<p class="notice success">${t('academy.completed_on', { date: formatDateTime(locale, enrolment.completed_at!) })} <a href="/academy/certificates/${enrolment.certificate_code}">${t('academy.certificate_link')}</a></p>`
        : ''
    }`;
  } else if (!ctx.user) {
    enrolBlock = html`<p><a class="button" href="/login?next=${encodeURIComponent(base)}">${t('academy.login_to_enrol')}</a></p>`;
  } else if (!learner.canLearn) {
    enrolBlock = html`<p class="notice info">${t('academy.confirm_email')}</p>`;
  } else {
    enrolBlock = html`<form method="post" action="${base}/enrol" class="inline-form">${csrfField(ctx)}<button type="submit" class="button">${t('academy.enrol')}</button></form>`;
  }
  return html`${back('/academy', t('academy.title'))}
<h1>${local(course, 'title', locale)}</h1>
<p class="hint">${t('academy.organiser')}: ${organizerName(course, locale)}</p>
${renderMarkdown(local(course, 'description', locale))}
${enrolBlock}
<h2>${t('academy.lessons')}</h2>
${
  lessons.length
    ? html`<ol>${lessons.map(
        (l) =>
          html`<li><a href="${base}/lessons/${l.position}">${l.title}</a>${doneMark(progress?.lessonsDone.has(l.id) ?? false)}${remove('lessons', l.position, l.title)}</li>`,
      )}</ol>`
    : html`<p class="empty-state">${t('academy.no_lessons')}</p>`
}
<h2>${t('academy.exercises')}</h2>
${
  exercises.length
    ? html`<ol>${exercises.map(
        (x) =>
          html`<li><a href="${base}/exercises/${x.position}">${local(x, 'title', locale)}</a>${doneMark(progress?.answers.get(x.id)?.correct ?? false)}${remove('exercises', x.position, local(x, 'title', locale))}</li>`,
      )}</ol>`
    : html`<p class="empty-state">${t('academy.no_exercises')}</p>`
}
${
  events.length
    ? html`<h2>${t('academy.events')}</h2><ul>${events.map(
        (e) =>
          html`<li><a href="/events/${e.id}">${e.title}</a> <span class="hint">${formatSpan(locale, e.starts_at, e.ends_at, e.time_zone)}</span></li>`,
      )}</ul>`
    : ''
}
${
  canManage
    ? html`<h2>${t('academy.organisers')}</h2><p class="actions"><a href="${base}/edit">${t('academy.edit_course')}</a>
<a href="${base}/lessons/new">${t('academy.add_lesson')}</a>
<a href="${base}/exercises/new">${t('academy.add_exercise')}</a>
<a href="${base}/learners">${t('academy.learners_link', { count: course.learners })}</a></p>`
    : ''
}
<p class="hint"><a href="/api/v1/academy/courses/${course.slug}">${t('academy.api_link')}</a></p>`;
}

export function lessonPage(
  ctx: PageContext,
  course: Course,
  text: LessonText,
  neighbours: { prev: { position: number; title: string } | null; next: { position: number; title: string } | null },
  state: { enrolled: boolean; done: boolean; count: number },
): SafeHtml {
  const { t, locale } = ctx;
  const base = `/academy/${course.slug}`;
  const { lesson } = text;
  return html`${back(base, local(course, 'title', locale))}
<p class="hint">${t('academy.lesson_of', { n: lesson.position, count: state.count })}</p>
<article class="handbook"${text.locale !== locale ? html` lang="${text.locale}"` : ''}><h1>${text.title}</h1>
${text.locale !== locale ? html`<p class="notice info" lang="${locale}">${t('academy.fallback')}</p>` : ''}
${renderMarkdown(text.markdown)}</article>
${lesson.handbook_slug ? html`<p class="hint">${t('academy.from_handbook')} <a href="/handbook/${lesson.handbook_slug}">${text.title}</a></p>` : ''}
${
  state.done
    ? html`<p class="notice success">${t('academy.lesson_done')}</p>`
    : state.enrolled
      ? html`<form method="post" action="${base}/lessons/${lesson.position}/done">${csrfField(ctx)}<button type="submit" class="button">${t('academy.mark_done')}</button></form>`
      : html`<p class="hint">${t('academy.enrol_to_track')} <a href="${base}">${t('academy.to_course')}</a></p>`
}
<nav class="pagination" aria-label="${t('academy.lesson_nav')}">
${neighbours.prev ? html`<a href="${base}/lessons/${neighbours.prev.position}" rel="prev">← ${neighbours.prev.title}</a>` : ''}
${neighbours.next ? html`<a href="${base}/lessons/${neighbours.next.position}" rel="next">${neighbours.next.title} →</a>` : html`<a href="${base}">${t('academy.to_course')}</a>`}
</nav>`;
}

export function exercisePage(
  ctx: PageContext,
  course: Course,
  exercise: Exercise,
  state: {
    enrolled: boolean;
    previous: { answer: string; correct: boolean; attempts: number } | undefined;
    result: 'right' | 'wrong' | null;
    count: number;
  },
  values: FieldValues,
  errors: Errors,
): SafeHtml {
  const { t, locale } = ctx;
  const base = `/academy/${course.slug}`;
  const dataset = `/datasets/${exercise.dataset_name}`;
  const { previous, result } = state;
  const solved = previous?.correct ?? false;
  return html`${back(base, local(course, 'title', locale))}
<p class="hint">${t('academy.exercise_of', { n: exercise.position, count: state.count })}</p>
<h1>${local(exercise, 'title', locale)}</h1>
${renderMarkdown(local(exercise, 'question', locale))}
<h2>${t('academy.the_data')}</h2>
<ul>
<li>${t('academy.dataset')}: <a href="${dataset}">${exercise[`dataset_title_${locale}`] || exercise.dataset_title_uk}</a></li>
${
  exercise.resource_id
    ? html`<li>${t('academy.preview')}: <a href="${dataset}/resources/${exercise.resource_id}">${exercise.resource_name}</a></li>
<li>${t('academy.api')}: <a href="/api/3/action/datastore_search?resource_id=${exercise.resource_id}"><code>datastore_search</code></a> · <a href="/api/v1/resources/${exercise.resource_id}"><code>/api/v1/resources</code></a></li>`
    : html`<li>${t('academy.api')}: <a href="/api/3/action/package_show?id=${exercise.dataset_name}"><code>package_show</code></a></li>`
}
</ul>
<h2>${t('academy.your_answer')}</h2>
${result === 'right' ? html`<p class="notice success" role="status">${t('academy.right')}</p>` : ''}
${result === 'wrong' ? html`<p class="notice danger" role="status">${t('academy.wrong')}</p>` : ''}
${errorNotice(ctx, errors)}
${
  solved
    ? html`<p class="notice success">${t('academy.solved', { answer: previous!.answer })}</p>`
    : state.enrolled
      ? html`<form method="post" action="${base}/exercises/${exercise.position}" class="stacked" novalidate>${csrfField(ctx)}
${textField({
  name: 'answer',
  label: t(exercise.answer_kind === 'number' ? 'academy.answer_number' : 'academy.answer_text'),
  values,
  errors,
  type: 'text',
  extra: html` required maxlength="200"${exercise.answer_kind === 'number' ? html` inputmode="decimal"` : ''}`,
})}
${previous ? html`<p class="hint">${t('academy.attempts', { count: previous.attempts })}</p>` : ''}
<p><button type="submit">${t('academy.check')}</button></p></form>`
      : html`<p class="hint">${t('academy.enrol_to_answer')} <a href="${base}">${t('academy.to_course')}</a></p>`
}`;
}

export function learnersPage(
  ctx: PageContext,
  course: Course,
  result: { items: Learner[]; total: number },
  page: { limit: number; offset: number },
): SafeHtml {
  const { t, locale } = ctx;
  const base = `/academy/${course.slug}`;
  const cols = [
    t('academy.learner'),
    t('academy.enrolled'),
    t('academy.lessons_done'),
    t('academy.exercises_right'),
    t('academy.completed'),
  ];
  return html`${back(base, local(course, 'title', locale))}
<h1>${t('academy.learners_title')}</h1>
<p><a href="${base}/learners.csv">${t('academy.csv')}</a></p>
${
  result.items.length
    ? html`<div class="table-wrap"><table class="responsive"><caption>${t('academy.learners_count', { count: result.total })}</caption>
<thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${result.items.map(
        (l) => html`<tr><th scope="row" data-label="${cols[0]}">${l.display_name}</th>
<td data-label="${cols[1]}">${formatDateTime(locale, l.enrolled_at)}</td>
<td data-label="${cols[2]}">${l.lessons_done}/${course.lessons}</td>
<td data-label="${cols[3]}">${l.exercises_correct}/${course.exercises}</td>
<td data-label="${cols[4]}">${l.certificate_code ? html`<a href="/academy/certificates/${l.certificate_code}">${formatDateTime(locale, l.completed_at!)}</a>` : '—'}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="empty-state">${t('academy.no_learners')}</p>`
}
${pagination(ctx, `${base}/learners`, {}, { ...page, total: result.total })}`;
}

export function certificatePage(ctx: PageContext, certificate: Certificate): SafeHtml {
  const { t, locale } = ctx;
  const { course } = certificate;
  return html`<h1>${t('academy.certificate_title')}</h1>
<div class="card raised">
<p class="notice success">${t('academy.certificate_valid')}</p>
<dl class="facts">
<dt>${t('academy.learner')}</dt><dd>${certificate.learner_name}</dd>
<dt>${t('academy.course')}</dt><dd><a href="/academy/${course.slug}">${local(course, 'title', locale)}</a></dd>
<dt>${t('academy.organiser')}</dt><dd>${organizerName(course, locale)}</dd>
<dt>${t('academy.completed')}</dt><dd>${formatDateTime(locale, certificate.completed_at)}</dd>
<dt>${t('academy.code')}</dt><dd><code>${certificate.code}</code></dd>
</dl>
<p class="hint">${t('academy.certificate_scope', { lessons: course.lessons, exercises: course.exercises })}</p>
</div>`;
}

export function courseForm(
  ctx: PageContext,
  values: FieldValues,
  errors: Errors,
  options: {
    slug: string | null;
    organizations: { id: number; name: string }[];
    events: { id: number; title: string; starts_at: Date }[];
  },
): SafeHtml {
  const { t, locale } = ctx;
  const action = options.slug ? `/academy/${options.slug}/edit` : '/academy/new';
  const chosen = new Set(
    (Array.isArray(values.events) ? values.events : values.events ? [values.events] : []).map(String),
  );
  return html`${back(options.slug ? `/academy/${options.slug}` : '/academy', t('academy.title'))}
<h1>${options.slug ? t('academy.edit_course') : t('academy.new_course')}</h1>
${errorNotice(ctx, errors)}
<form method="post" action="${action}" class="stacked wide" novalidate>${csrfField(ctx)}
${options.slug ? '' : textField({ name: 'slug', label: t('academy.slug'), values, errors, extra: html` required maxlength="80" pattern="[a-z0-9-]+"` })}
${selectField({
  name: 'organization',
  label: t('academy.organiser'),
  values,
  errors,
  choices: options.organizations.map((o) => ({ value: String(o.id), label: o.name })),
  empty: ctx.user?.isAdmin ? t('academy.organiser_me') : undefined,
})}
${LOCALES.map(
  (
    l,
  ) => html`${textField({ name: `title_${l}`, label: `${t('academy.course_title')} (${l})`, values, errors, extra: html` required maxlength="200"` })}
${textAreaField({ name: `description_${l}`, label: `${t('academy.description')} (${l})`, values, errors, rows: 4 })}`,
)}
<fieldset class="checkboxes"><legend>${t('academy.events')}</legend>
${errors?.events ? html`<p class="field-error" id="events-error">${errors.events}</p>` : ''}
${
  options.events.length
    ? options.events.map(
        (e) =>
          html`<label><input type="checkbox" name="events" value="${e.id}"${chosen.has(String(e.id)) ? html` checked` : ''}> ${e.title} <span class="hint">${formatDateTime(locale, e.starts_at)}</span></label>`,
      )
    : html`<p class="hint">${t('academy.no_events')}</p>`
}
</fieldset>
<p><button type="submit">${t('academy.save')}</button></p>
</form>`;
}

export function lessonForm(
  ctx: PageContext,
  course: Course,
  values: FieldValues,
  errors: Errors,
  chapters: { slug: string; title: string }[],
): SafeHtml {
  const { t, locale } = ctx;
  const base = `/academy/${course.slug}`;
  return html`${back(base, local(course, 'title', locale))}
<h1>${t('academy.add_lesson')}</h1>
${errorNotice(ctx, errors)}
<form method="post" action="${base}/lessons/new" class="stacked wide" novalidate>${csrfField(ctx)}
${selectField({
  name: 'handbook',
  label: t('academy.lesson_chapter'),
  values,
  errors,
  choices: chapters.map((c) => ({ value: c.slug, label: c.title })),
  empty: t('academy.lesson_own'),
})}
<p class="hint">${t('academy.lesson_own_hint')} ${t('handbook.markdown_hint')}</p>
${LOCALES.map(
  (
    l,
  ) => html`${textField({ name: `title_${l}`, label: `${t('academy.lesson_title')} (${l})`, values, errors, extra: html` maxlength="200"` })}
${textAreaField({ name: `body_${l}`, label: `${t('academy.lesson_body')} (${l})`, values, errors, rows: 10 })}`,
)}
<p><button type="submit">${t('academy.save')}</button></p>
</form>`;
}

export function exerciseForm(ctx: PageContext, course: Course, values: FieldValues, errors: Errors): SafeHtml {
  const { t, locale } = ctx;
  const base = `/academy/${course.slug}`;
  return html`${back(base, local(course, 'title', locale))}
<h1>${t('academy.add_exercise')}</h1>
${errorNotice(ctx, errors)}
<form method="post" action="${base}/exercises/new" class="stacked wide" novalidate>${csrfField(ctx)}
${textField({ name: 'dataset', label: t('academy.dataset_name'), values, errors, extra: html` required maxlength="100"` })}
${textField({ name: 'resource', label: t('academy.resource_id'), values, errors, extra: html` maxlength="36"` })}
${LOCALES.map(
  (
    l,
  ) => html`${textField({ name: `title_${l}`, label: `${t('academy.exercise_title')} (${l})`, values, errors, extra: html` required maxlength="200"` })}
${textAreaField({ name: `question_${l}`, label: `${t('academy.question')} (${l})`, values, errors, rows: 4 })}`,
)}
${selectField({
  name: 'answer_kind',
  label: t('academy.answer_kind'),
  values,
  errors,
  choices: [
    { value: 'number', label: t('academy.kind_number') },
    { value: 'text', label: t('academy.kind_text') },
  ],
})}
${textField({ name: 'expected_answer', label: t('academy.expected_answer'), values, errors, extra: html` required maxlength="200"` })}
${textField({ name: 'tolerance', label: t('academy.tolerance'), values, errors, extra: html` inputmode="decimal"` })}
<p><button type="submit">${t('academy.save')}</button></p>
</form>`;
}
