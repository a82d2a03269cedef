// The Data Academy: the courses (/academy), a course, its lessons and exercises, enrolling,
// marking lessons done and answering, the completion record's public verification page, the
// organisers' learners list and CSV, the authoring forms, and /api/v1/academy. Who may do what is
// decided in policy.ts.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { csvLine } from '../../platform/csv.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { allow } from '../../platform/http/guards.ts';
import { actorOf, fieldMessages, submitForm } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit, WindowCounter } from '../../platform/http/rate-limits.ts';
import { errorResponses, localizedText, pageOf, paginationQuery, problemSchema } from '../../platform/http/schemas.ts';
import { listChapters } from '../handbook/service.ts';
import type { SafeHtml } from '../../platform/html/html.ts';
import type { FieldValues } from '../../platform/html/fields.ts';
import { assertCanManageCourse, canAuthorCourses, canLearn, canManageCourse, courseOrganizationIds } from './policy.ts';
import {
  addExercise,
  addLesson,
  answerExercise,
  courseEvents,
  courseExercises,
  courseLessons,
  createCourse,
  enrol,
  enrolmentOf,
  eventChoices,
  getCertificate,
  getCourse,
  lessonText,
  lessonTitles,
  listCourses,
  listLearners,
  local,
  markLessonDone,
  organizerName,
  parseCourseInput,
  parseExerciseInput,
  parseLessonInput,
  progressOf,
  removeStep,
  updateCourse,
  type Course,
} from './service.ts';
import {
  certificatePage,
  courseForm,
  coursePage,
  coursesPage,
  exerciseForm,
  exercisePage,
  learnersPage,
  lessonForm,
  lessonPage,
} from './views.ts';
import { registerAcademySections } from './sections.ts';

const slugProperty = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,79}$' } as const;
const courseParams = { type: 'object', required: ['slug'], properties: { slug: slugProperty } } as const;
const stepParams = {
  type: 'object',
  required: ['slug', 'n'],
  properties: { slug: slugProperty, n: { type: 'integer', minimum: 1, maximum: 1000 } },
} as const;
const offsetQuery = {
  type: 'object',
  properties: { offset: paginationQuery.offset },
} as const;
const exerciseQuery = {
  type: 'object',
  properties: { result: { type: 'string', enum: ['right', 'wrong'] } },
} as const;
const PAGE = 20;

const courseJson = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    url: { type: 'string', format: 'uri' },
    title: localizedText,
    description: localizedText,
    organiser: { type: 'string' },
    lessons: { type: 'integer' },
    exercises: { type: 'integer' },
    learners: { type: 'integer' },
  },
} as const;

async function routes(app: FastifyInstance) {
  registerAcademySections(app);
  const { db, clock } = app;
  // Answering is checked against a stored answer: one account may try only so often, so the
  // answer cannot be found by trying every number.
  const answers = new WindowCounter('academy-answer', 3_600_000, 60);
  const author = { preHandler: allow(canAuthorCourses) };
  const learner = { preHandler: allow(canLearn) };
  const publicUrl = () => app.config.publicUrl.replace(/\/$/, '');

  const organizationChoices = async (request: FastifyRequest) => {
    const mine = courseOrganizationIds(request.user);
    const rows = await db.query<{ id: number; name_uk: string; name_en: string; name_bg: string }>(
      `SELECT id, name_uk, name_en, name_bg FROM organizations ${mine === null ? '' : 'WHERE id = ANY($1::int[])'} ORDER BY kind, slug`,
      mine === null ? [] : [mine],
    );
    return rows.map((o) => ({ id: o.id, name: o[`name_${request.locale}`] }));
  };

  async function manageable(request: FastifyRequest, slug: string): Promise<Course> {
    const course = await getCourse(db, slug);
    assertCanManageCourse(request.user, course);
    return course;
  }

  const present = (c: Course) => ({
    slug: c.slug,
    url: `${publicUrl()}/academy/${c.slug}`,
    title: { uk: c.title_uk, en: c.title_en, bg: c.title_bg },
    description: { uk: c.description_uk, en: c.description_en, bg: c.description_bg },
    organiser: organizerName(c, 'uk'),
    lessons: c.lessons,
    exercises: c.exercises,
    learners: c.learners,
  });

  // ---- Public pages ----

  app.get<{ Querystring: { offset: number } }>(
    '/academy',
    { schema: { querystring: offsetQuery } },
    async (request, reply) => {
      const page = { limit: PAGE, offset: request.query.offset ?? 0 };
      return reply.page({
        title: request.t('academy.title'),
        nav: 'community',
        alternates: [{ href: '/api/v1/academy/courses', type: 'application/json' }],
        body: coursesPage(
          request.pageContext(),
          await listCourses(db, page),
          page,
          request.user !== null && canAuthorCourses(request.user),
        ),
      });
    },
  );

  app.get('/academy/new', author, async (request, reply) =>
    reply.page({
      title: request.t('academy.new_course'),
      nav: 'community',
      body: courseForm(request.pageContext(), {}, undefined, {
        slug: null,
        organizations: await organizationChoices(request),
        events: await eventChoices(db),
      }),
    }),
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/academy/new',
    { ...author, config: formRateLimit(30) },
    async (request, reply) => {
      const [organizations, events] = await Promise.all([organizationChoices(request), eventChoices(db)]);
      return submitForm(request, reply, {
        title: request.t('academy.new_course'),
        action: async () => {
          const input = await parseCourseInput(db, request.body, request.user!);
          await db.transaction((tx) => createCourse(tx, actorOf(request), input));
          return `/academy/${input.slug}`;
        },
        form: (errors) =>
          courseForm(request.pageContext(), request.body ?? {}, errors, { slug: null, organizations, events }),
      });
    },
  );

  app.get<{ Params: { code: string } }>(
    '/academy/certificates/:code',
    {
      schema: {
        params: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request, reply) => {
      const code = request.params.code.toLowerCase();
      if (!/^[a-z0-9]{16}$/.test(code)) throw new NotFoundError('no completion record has this code');
      const certificate = await getCertificate(db, code);
      return reply.page({
        title: request.t('academy.certificate_title'),
        nav: 'community',
        body: certificatePage(request.pageContext(), certificate),
      });
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/academy/:slug',
    { schema: { params: courseParams } },
    async (request, reply) => {
      const course = await getCourse(db, request.params.slug);
      const [lessons, exercises, events] = await Promise.all([
        courseLessons(db, course.id),
        courseExercises(db, course.id),
        courseEvents(db, course.id),
      ]);
      const titles = await lessonTitles(db, lessons, request.locale);
      const user = request.user;
      const enrolment = user ? await enrolmentOf(db, course.id, user.id) : undefined;
      const progress = enrolment ? await progressOf(db, course.id, user!.id) : null;
      return reply.page({
        title: local(course, 'title', request.locale),
        nav: 'community',
        alternates: [{ href: `/api/v1/academy/courses/${course.slug}`, type: 'application/json' }],
        body: coursePage(
          request.pageContext(),
          course,
          lessons.map((l, i) => ({ id: l.id, position: l.position, title: titles[i]! })),
          exercises,
          events,
          { enrolment, progress, canLearn: user !== null && canLearn(user) },
          canManageCourse(user, course),
        ),
      });
    },
  );

  app.post<{ Params: { slug: string } }>(
    '/academy/:slug/enrol',
    { ...learner, schema: { params: courseParams }, config: formRateLimit(60) },
    async (request, reply) => {
      const course = await getCourse(db, request.params.slug);
      await enrol(db, course.id, request.user!.id, clock.now());
      return reply.redirect(`/academy/${course.slug}`, 303);
    },
  );

  app.get<{ Params: { slug: string; n: number } }>(
    '/academy/:slug/lessons/:n',
    { schema: { params: stepParams } },
    async (request, reply) => {
      const course = await getCourse(db, request.params.slug);
      const lessons = await courseLessons(db, course.id);
      const index = lessons.findIndex((l) => l.position === request.params.n);
      if (index < 0) throw new NotFoundError('no such lesson');
      const lesson = lessons[index]!;
      const text = await lessonText(db, lesson, request.locale);
      const neighbour = async (i: number) =>
        lessons[i]
          ? { position: lessons[i].position, title: (await lessonText(db, lessons[i], request.locale)).title }
          : null;
      const user = request.user;
      const enrolment = user ? await enrolmentOf(db, course.id, user.id) : undefined;
      const done = enrolment ? (await progressOf(db, course.id, user!.id)).lessonsDone.has(lesson.id) : false;
      return reply.page({
        title: text.title,
        nav: 'community',
        body: lessonPage(
          request.pageContext(),
          course,
          text,
          { prev: await neighbour(index - 1), next: await neighbour(index + 1) },
          { enrolled: enrolment !== undefined, done, count: lessons.length },
        ),
      });
    },
  );

  app.post<{ Params: { slug: string; n: number } }>(
    '/academy/:slug/lessons/:n/done',
    { ...learner, schema: { params: stepParams }, config: formRateLimit(120) },
    async (request, reply) => {
      const course = await getCourse(db, request.params.slug);
      const lesson = (await courseLessons(db, course.id)).find((l) => l.position === request.params.n);
      if (!lesson) throw new NotFoundError('no such lesson');
      const user = request.user!;
      const completed = await db.transaction((tx) => markLessonDone(tx, lesson, user, clock.now()));
      const next = await db.one<{ position: number }>(
        'SELECT position FROM academy_lessons WHERE course_id = $1 AND position > $2 ORDER BY position LIMIT 1',
        [course.id, lesson.position],
      );
      return reply.redirect(
        completed || !next ? `/academy/${course.slug}` : `/academy/${course.slug}/lessons/${next.position}`,
        303,
      );
    },
  );

  async function loadExercise(slug: string, n: number) {
    const course = await getCourse(db, slug);
    const exercises = await courseExercises(db, course.id);
    const exercise = exercises.find((x) => x.position === n);
    if (!exercise) throw new NotFoundError('no such exercise');
    return { course, exercise, count: exercises.length };
  }

  app.get<{ Params: { slug: string; n: number }; Querystring: { result?: 'right' | 'wrong' } }>(
    '/academy/:slug/exercises/:n',
    { schema: { params: stepParams, querystring: exerciseQuery } },
    async (request, reply) => {
      const { course, exercise, count } = await loadExercise(request.params.slug, request.params.n);
      const user = request.user;
      const enrolment = user ? await enrolmentOf(db, course.id, user.id) : undefined;
      const previous = enrolment ? (await progressOf(db, course.id, user!.id)).answers.get(exercise.id) : undefined;
      return reply.page({
        title: local(exercise, 'title', request.locale),
        nav: 'community',
        body: exercisePage(
          request.pageContext(),
          course,
          exercise,
          { enrolled: enrolment !== undefined, previous, result: request.query.result ?? null, count },
          {},
          undefined,
        ),
      });
    },
  );

  app.post<{ Params: { slug: string; n: number }; Body: Record<string, unknown> }>(
    '/academy/:slug/exercises/:n',
    { ...learner, schema: { params: stepParams }, config: formRateLimit(120) },
    async (request, reply) => {
      const { course, exercise, count } = await loadExercise(request.params.slug, request.params.n);
      const user = request.user!;
      await answers.hit(request, `user:${user.id}`);
      try {
        const result = await db.transaction((tx) => answerExercise(tx, exercise, user, request.body, clock.now()));
        return reply.redirect(
          result.completed
            ? `/academy/${course.slug}`
            : `/academy/${course.slug}/exercises/${exercise.position}?result=${result.correct ? 'right' : 'wrong'}`,
          303,
        );
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const previous = (await progressOf(db, course.id, user.id)).answers.get(exercise.id);
        return reply.page(
          {
            title: local(exercise, 'title', request.locale),
            nav: 'community',
            body: exercisePage(
              request.pageContext(),
              course,
              exercise,
              { enrolled: true, previous, result: null, count },
              request.body ?? {},
              fieldMessages(request.t, error),
            ),
          },
          error.statusCode,
        );
      }
    },
  );

  // ---- Organisers ----

  app.get<{ Params: { slug: string } }>(
    '/academy/:slug/edit',
    { ...author, schema: { params: courseParams } },
    async (request, reply) => {
      const course = await manageable(request, request.params.slug);
      const events = await courseEvents(db, course.id);
      return reply.page({
        title: request.t('academy.edit_course'),
        nav: 'community',
        body: courseForm(
          request.pageContext(),
          { ...course, organization: course.organization_id ?? '', events: events.map((e) => String(e.id)) },
          undefined,
          { slug: course.slug, organizations: await organizationChoices(request), events: await eventChoices(db) },
        ),
      });
    },
  );

  app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/academy/:slug/edit',
    { ...author, schema: { params: courseParams }, config: formRateLimit(30) },
    async (request, reply) => {
      const course = await manageable(request, request.params.slug);
      const [organizations, events] = await Promise.all([organizationChoices(request), eventChoices(db)]);
      return submitForm(request, reply, {
        title: request.t('academy.edit_course'),
        action: async () => {
          const input = await parseCourseInput(db, request.body, request.user!, course);
          await db.transaction((tx) => updateCourse(tx, actorOf(request), course, input));
          return `/academy/${course.slug}`;
        },
        form: (errors) =>
          courseForm(request.pageContext(), request.body ?? {}, errors, { slug: course.slug, organizations, events }),
      });
    },
  );

  /** The form that appends a lesson or an exercise to a course, and its submission. */
  function stepForm(
    kind: 'lessons' | 'exercises',
    title: string,
    form: (
      request: FastifyRequest,
      course: Course,
      values: FieldValues,
      errors?: Record<string, string>,
    ) => Promise<SafeHtml>,
    add: (request: FastifyRequest, course: Course) => Promise<number>,
    initial: FieldValues,
  ) {
    app.get<{ Params: { slug: string } }>(
      `/academy/:slug/${kind}/new`,
      { ...author, schema: { params: courseParams } },
      async (request, reply) => {
        const course = await manageable(request, request.params.slug);
        return reply.page({ title: request.t(title), nav: 'community', body: await form(request, course, initial) });
      },
    );
    app.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
      `/academy/:slug/${kind}/new`,
      { ...author, schema: { params: courseParams }, config: formRateLimit(60) },
      async (request, reply) => {
        const course = await manageable(request, request.params.slug);
        try {
          const position = await add(request, course);
          return reply.redirect(`/academy/${course.slug}/${kind}/${position}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const body = await form(request, course, request.body ?? {}, fieldMessages(request.t, error));
          return reply.page({ title: request.t(title), nav: 'community', body }, error.statusCode);
        }
      },
    );
  }

  for (const kind of ['lessons', 'exercises'] as const)
    app.post<{ Params: { slug: string; n: number } }>(
      `/academy/:slug/${kind}/:n/delete`,
      { ...author, schema: { params: stepParams }, config: formRateLimit(60) },
      async (request, reply) => {
        const course = await manageable(request, request.params.slug);
        await db.transaction((tx) => removeStep(tx, actorOf(request), course, kind, request.params.n));
        return reply.redirect(`/academy/${course.slug}`, 303);
      },
    );

  stepForm(
    'lessons',
    'academy.add_lesson',
    async (request, course, values, errors) =>
      lessonForm(
        request.pageContext(),
        course,
        values,
        errors,
        (await listChapters(db, request.locale)).map((c) => ({ slug: c.slug, title: c.title })),
      ),
    async (request, course) => {
      const input = await parseLessonInput(db, request.body);
      return db.transaction((tx) => addLesson(tx, actorOf(request), course, input));
    },
    {},
  );

  stepForm(
    'exercises',
    'academy.add_exercise',
    async (request, course, values, errors) => exerciseForm(request.pageContext(), course, values, errors),
    async (request, course) => {
      const input = await parseExerciseInput(db, request.body);
      return db.transaction((tx) => addExercise(tx, actorOf(request), course, input));
    },
    { answer_kind: 'number', tolerance: '0' },
  );

  app.get<{ Params: { slug: string }; Querystring: { offset: number } }>(
    '/academy/:slug/learners',
    { ...author, schema: { params: courseParams, querystring: offsetQuery } },
    async (request, reply) => {
      const course = await manageable(request, request.params.slug);
      const page = { limit: 50, offset: request.query.offset ?? 0 };
      return reply.page({
        title: request.t('academy.learners_title'),
        nav: 'community',
        body: learnersPage(request.pageContext(), course, await listLearners(db, course.id, page), page),
      });
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/academy/:slug/learners.csv',
    { ...author, schema: { params: courseParams } },
    async (request, reply) => {
      const course = await manageable(request, request.params.slug);
      const lines = [
        csvLine([
          'name',
          'email',
          'enrolled_at',
          'lessons_done',
          'lessons_total',
          'exercises_right',
          'exercises_total',
          'completed_at',
          'verification_url',
        ]),
      ];
      for (let offset = 0; ; offset += 500) {
        const { items } = await listLearners(db, course.id, { limit: 500, offset });
        for (const l of items)
          lines.push(
            csvLine([
              l.display_name,
              l.email,
              l.enrolled_at.toISOString(),
              l.lessons_done,
              course.lessons,
              l.exercises_correct,
              course.exercises,
              l.completed_at?.toISOString() ?? '',
              l.certificate_code ? `${publicUrl()}/academy/certificates/${l.certificate_code}` : '',
            ]),
          );
        if (items.length < 500) break;
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${course.slug}-learners.csv"`)
        .send(lines.join(''));
    },
  );

  // ---- /api/v1 ----

  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/api/v1/academy/courses',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['academy'],
        operationId: 'listAcademyCourses',
        summary: 'The Data Academy’s courses, newest first',
        querystring: { type: 'object', properties: paginationQuery, additionalProperties: false },
        response: { 200: pageOf(courseJson), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const result = await listCourses(db, { limit, offset });
      return { items: result.items.map(present), total: result.total, limit, offset };
    },
  );

  app.get<{ Params: { slug: string } }>(
    '/api/v1/academy/courses/:slug',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['academy'],
        operationId: 'getAcademyCourse',
        summary: 'One course: its lessons (handbook chapters or their own Markdown), exercises and events',
        params: courseParams,
        response: {
          200: {
            type: 'object',
            properties: {
              ...courseJson.properties,
              lessons_list: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    position: { type: 'integer' },
                    handbook_chapter: { type: ['string', 'null'] },
                    title: localizedText,
                  },
                },
              },
              exercises_list: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    position: { type: 'integer' },
                    title: localizedText,
                    dataset: { type: 'string' },
                    resource_id: { type: ['string', 'null'] },
                    answer_kind: { type: 'string', enum: ['number', 'text'] },
                  },
                },
              },
              events: { type: 'array', items: { type: 'integer' } },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const course = await getCourse(db, request.params.slug);
      const [lessons, exercises, events] = await Promise.all([
        courseLessons(db, course.id),
        courseExercises(db, course.id),
        courseEvents(db, course.id),
      ]);
      const titles = await Promise.all((['uk', 'en', 'bg'] as const).map((l) => lessonTitles(db, lessons, l)));
      return {
        ...present(course),
        lessons_list: lessons.map((l, i) => ({
          position: l.position,
          handbook_chapter: l.handbook_slug,
          title: { uk: titles[0]![i], en: titles[1]![i], bg: titles[2]![i] },
        })),
        exercises_list: exercises.map((x) => ({
          position: x.position,
          title: { uk: x.title_uk, en: x.title_en, bg: x.title_bg },
          dataset: x.dataset_name,
          resource_id: x.resource_id,
          answer_kind: x.answer_kind,
        })),
        events: events.map((e) => e.id),
      };
    },
  );

  app.get<{ Params: { code: string } }>(
    '/api/v1/academy/certificates/:code',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['academy'],
        operationId: 'verifyAcademyCertificate',
        summary: 'Checks a completion record by its verification code',
        params: {
          type: 'object',
          required: ['code'],
          properties: { code: { type: 'string', pattern: '^[a-z0-9]{16}$' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              code: { type: 'string' },
              learner: { type: 'string' },
              course: { type: 'string' },
              completed_at: { type: 'string', format: 'date-time' },
            },
          },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const certificate = await getCertificate(db, request.params.code);
      return {
        code: certificate.code,
        learner: certificate.learner_name,
        course: certificate.course.slug,
        completed_at: certificate.completed_at.toISOString(),
      };
    },
  );
}

export const academyModule = fp(routes, { name: 'academy' });
