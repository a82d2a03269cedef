// Participatory budgeting: the public pages, proposals, the experts' review, the ballot, paper
// ballots, results, implementation reports, exports (CSV, GeoJSON, Pabulib) and /api/v1.
// Who may do what is decided in service.ts (canRun and the phase and author checks).
import { procedureImported } from '../procurement/service.ts';
import fp from 'fastify-plugin';
import { csvCell } from '../../platform/csv.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages, submitForm } from '../../platform/http/forms.ts';
import {
  FileTooLargeError,
  MIME_TYPES,
  receiveUpload,
  safeFileName,
  sendStoredFile,
  sniffFileType,
} from '../../platform/files.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit, WindowCounter } from '../../platform/http/rate-limits.ts';
import { errorResponses, problemSchema } from '../../platform/http/schemas.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { getCity, listCities } from '../cities/service.ts';
import { editableCityIds, editsSomeCity } from '../catalog/policy.ts';
import { phaseAt } from './rules.ts';
import { toPabulib } from './pabulib.ts';
import {
  canRun,
  computeResults,
  countVotes,
  createCycle,
  cycleProgramme,
  enterPaperBallot,
  firstImages,
  getBallot,
  getCycle,
  getProject,
  listCycles,
  listProjects,
  parseBallotInput,
  parseCycleInput,
  proposeProject,
  recordProgress,
  reviewProject,
  saveBallot,
  setCycleProgramme,
  updateProposal,
  votedCost,
  type Cycle,
  type Project,
} from './service.ts';
import {
  ballotPage,
  ballotReviewPage,
  cycleForm,
  cyclePage,
  cycleTitle,
  listPage,
  managePage,
  projectPage,
  proposalForm,
} from './views.ts';
import { registerBudgetSections } from './sections.ts';
import { programmeCodesOf } from '../open-budget/service.ts';

/** The map island of the proposal form. */
const PICKER = { scripts: ['/static/build/point-picker.js'], styles: ['/static/vendor/leaflet/leaflet.css'] };
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_IMAGES = 10;

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
  required: ['id'],
} as const;
const projectParams = {
  type: 'object',
  required: ['id', 'pid'],
  properties: {
    id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    pid: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
  },
} as const;

const cycleJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    city: { type: 'string' },
    slug: { type: 'string' },
    title: { type: 'object', properties: { uk: { type: 'string' }, en: { type: 'string' }, bg: { type: 'string' } } },
    total_amount: { type: 'number' },
    currency: { type: 'string' },
    phase: { type: 'string' },
    phases: { type: 'object', additionalProperties: { type: 'string', format: 'date-time' } },
    voting_rule: { type: 'string' },
    max_choices: { type: ['integer', 'null'] },
    one_per_category: { type: 'boolean' },
    min_spend_share: { type: 'number' },
    programme_code: {
      type: ['string', 'null'],
      description: 'The programme of the city budget (КПКВКМБ) the cycle is paid from',
    },
    districts: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'integer' }, name: { type: 'string' }, amount: { type: 'number' } },
      },
    },
    categories: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    },
  },
} as const;

const projectJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    description: { type: 'string' },
    district_id: { type: 'integer' },
    category_id: { type: 'integer' },
    latitude: { type: ['number', 'null'] },
    longitude: { type: ['number', 'null'] },
    cost: { type: 'number' },
    voted_cost: { type: 'number' },
    review_state: { type: 'string' },
    review_note: { type: ['string', 'null'] },
    votes: { type: ['integer', 'null'] },
    winner: { type: 'boolean' },
    implementation_status: { type: ['string', 'null'] },
    spent: { type: ['number', 'null'] },
    procurement_ocid: {
      type: ['string', 'null'],
      description: 'The OCDS ocid of the procurement procedure that delivers the project (Prozorro: ocds-be6bcu-UA-…)',
    },
  },
} as const;

async function routes(app: FastifyInstance) {
  registerBudgetSections(app);
  const { db, clock } = app;
  // Saving a ballot writes and audits; one account may do it only so often, by page or API together.
  const ballotSavers = new WindowCounter('ballot-account', 3_600_000, () => app.config.ballotRateLimitPerAccount);

  const cycleOf = (id: number) => getCycle(db, id);
  /** Votes are public from the results on, and during voting only if the cycle says so. */
  const votesShown = (cycle: Cycle, now: Date) => {
    const phase = phaseAt(cycle.starts, now);
    return (
      phase === 'results' ||
      phase === 'implementation' ||
      (cycle.live_totals && (phase === 'voting' || phase === 'ballot_review'))
    );
  };

  function presentCycle(cycle: Cycle) {
    return {
      id: cycle.id,
      city: cycle.city_slug,
      slug: cycle.slug,
      title: { uk: cycle.title_uk, en: cycle.title_en, bg: cycle.title_bg },
      total_amount: cycle.total_amount,
      currency: cycle.currency,
      phase: phaseAt(cycle.starts, clock.now()),
      phases: Object.fromEntries(Object.entries(cycle.starts).map(([k, v]) => [k, v.toISOString()])),
      voting_rule: cycle.voting_rule,
      max_choices: cycle.max_choices,
      one_per_category: cycle.one_per_category,
      min_spend_share: cycle.min_spend_share,
      programme_code: cycle.programme_code,
      districts: cycle.districts,
      categories: cycle.categories,
    };
  }
  const presentProject = (p: Project, votes: Map<number, number> | null) => ({
    id: p.id,
    title: p.title,
    description: p.description,
    district_id: p.district_id,
    category_id: p.category_id,
    latitude: p.latitude,
    longitude: p.longitude,
    cost: p.cost,
    voted_cost: votedCost(p),
    review_state: p.review_state,
    review_note: p.review_note,
    votes: votes ? (votes.get(p.id) ?? 0) : null,
    winner: p.winner,
    implementation_status: p.implementation_status,
    spent: p.spent,
    procurement_ocid: p.procurement_ocid,
  });

  async function renderCycle(
    request: FastifyRequest,
    reply: FastifyReply,
    cycle: Cycle,
    extra: { notice?: string } = {},
  ) {
    const now = clock.now();
    const [projects, ballot, city, programme] = await Promise.all([
      listProjects(db, cycle.id),
      request.user ? getBallot(db, cycle.id, request.user.id) : Promise.resolve(undefined),
      getCity(db, cycle.city_slug),
      cycleProgramme(db, cycle),
    ]);
    const mapped = projects.some((p) => p.latitude !== null);
    return reply.page({
      title: cycleTitle(request.pageContext(), cycle),
      nav: 'budgets',
      scripts: mapped ? ['/static/build/rows-map.js'] : [],
      styles: mapped ? ['/static/vendor/leaflet/leaflet.css'] : [],
      body: cyclePage(request.pageContext(), city, cycle, {
        now,
        projects,
        canRun: canRun(request.user, cycle.city_id),
        ballot,
        votes: votesShown(cycle, now) ? await countVotes(db, cycle.id) : null,
        programme,
        ...extra,
      }),
    });
  }

  // ---- Public pages ----

  app.get('/budgets', async (request, reply) =>
    reply.page({
      title: request.t('budgets.title'),
      nav: 'budgets',
      body: listPage(
        request.pageContext(),
        await listCycles(db),
        clock.now(),
        request.user !== null && editsSomeCity(request.user),
      ),
    }),
  );

  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/budgets/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const done = ['results', 'paper', 'proposed'].includes(request.query.done ?? '')
        ? request.t(`budgets.done.${request.query.done}`)
        : undefined;
      return renderCycle(request, reply, await cycleOf(request.params.id), { notice: done });
    },
  );

  app.get<{ Params: { id: number; pid: number } }>(
    '/budgets/:id/projects/:pid',
    { schema: { params: projectParams } },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const project = await getProject(db, cycle.id, request.params.pid);
      return renderProject(request, reply, cycle, project);
    },
  );

  async function renderProject(
    request: FastifyRequest,
    reply: FastifyReply,
    cycle: Cycle,
    project: Project,
    form?: { values: Record<string, unknown>; errors: Record<string, string> },
    status = 200,
  ) {
    const now = clock.now();
    const notes = await db.query<{ note: string; created_at: Date }>(
      'SELECT note, created_at FROM budget_progress_notes WHERE project_id = $1 ORDER BY id DESC',
      [project.id],
    );
    const files = await db.query<{ id: number; kind: 'image' | 'photo'; description: string }>(
      'SELECT id, kind, description FROM budget_files WHERE project_id = $1 ORDER BY id',
      [project.id],
    );
    return reply.page(
      {
        title: project.title,
        nav: 'budgets',
        body: projectPage(request.pageContext(), cycle, project, {
          now,
          canRun: canRun(request.user, cycle.city_id),
          isAuthor: request.user?.id === project.author_id,
          votes: votesShown(cycle, now) ? ((await countVotes(db, cycle.id)).get(project.id) ?? 0) : null,
          notes,
          files,
          procedureImported: project.procurement_ocid ? await procedureImported(db, project.procurement_ocid) : false,
          ...form,
        }),
      },
      status,
    );
  }

  app.get<{ Params: { id: number } }>(
    '/budgets/:id/projects.geojson',
    { schema: { params: idParams } },
    async (request, reply) => {
      const projects = (await listProjects(db, request.params.id)).filter(
        (p) => p.latitude !== null && p.review_state !== 'merged',
      );
      return reply.type('application/geo+json').send({
        type: 'FeatureCollection',
        features: projects.map((p) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [p.longitude, p.latitude] },
          properties: { name: p.title, winner: p.winner, id: p.id },
        })),
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/budgets/:id/projects.csv',
    { schema: { params: idParams } },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const votes = votesShown(cycle, clock.now()) ? await countVotes(db, cycle.id) : null;
      const name = (list: { id: number; name: string }[], id: number) => list.find((x) => x.id === id)?.name ?? '';
      const header = [
        'id',
        'title',
        'district',
        'category',
        'cost',
        'voted_cost',
        'review_state',
        'votes',
        'winner',
        'implementation_status',
        'spent',
        'latitude',
        'longitude',
      ];
      const rows = (await listProjects(db, cycle.id)).map((p) =>
        [
          p.id,
          p.title,
          name(cycle.districts, p.district_id),
          name(cycle.categories, p.category_id),
          p.cost,
          votedCost(p),
          p.review_state,
          votes ? (votes.get(p.id) ?? 0) : '',
          p.winner ? 1 : 0,
          p.implementation_status,
          p.spent,
          p.latitude,
          p.longitude,
        ]
          .map(csvCell)
          .join(','),
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${cycle.city_slug}-${cycle.slug}-projects.csv"`)
        .send([header.join(','), ...rows].join('\r\n') + '\r\n');
    },
  );

  // The Pabulib file of one district, once the results are out.
  app.get<{ Params: { id: number }; Querystring: { district: number } }>(
    '/budgets/:id/pabulib',
    {
      schema: {
        params: idParams,
        querystring: {
          type: 'object',
          required: ['district'],
          properties: { district: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
        },
      },
    },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const district = cycle.districts.find((d) => d.id === request.query.district);
      if (!district) throw new NotFoundError('no such district in this cycle');
      const phase = phaseAt(cycle.starts, clock.now());
      if (phase !== 'results' && phase !== 'implementation')
        throw new ValidationError([{ field: 'phase', message: 'budgets.error.phase', params: { phase } }], 409);
      const votes = await countVotes(db, cycle.id);
      const projects = (await listProjects(db, cycle.id)).filter(
        (p) => p.district_id === district.id && p.review_state === 'feasible',
      );
      const ballots = await db.query<{ id: number; paper: boolean; choices: number[] }>(
        `SELECT b.id, b.paper, ARRAY(SELECT project_id FROM budget_ballot_choices c WHERE c.ballot_id = b.id ORDER BY project_id) AS choices
       FROM budget_ballots b WHERE b.cycle_id = $1 AND b.district_id = $2 AND b.confirmed_at IS NOT NULL ORDER BY b.id`,
        [cycle.id, district.id],
      );
      const city = await getCity(db, cycle.city_slug);
      const text = toPabulib({
        meta: {
          description: cycle.title_en,
          country: 'Ukraine',
          unit: city.name_en,
          subunit: district.name,
          instance: String(cycle.starts.voting.getUTCFullYear()),
          budget: district.amount,
          voteType: 'approval',
          rule: 'greedy',
          currency: cycle.currency,
          language: 'ukrainian',
          dateBegin: cycle.starts.voting.toISOString().slice(0, 10).split('-').reverse().join('.'),
          dateEnd: cycle.starts.ballot_review.toISOString().slice(0, 10).split('-').reverse().join('.'),
          ...(cycle.voting_rule === 'approval'
            ? { maxLength: cycle.max_choices ?? 1 }
            : { maxSumCost: district.amount, minSumCost: Math.ceil(district.amount * cycle.min_spend_share) }),
        },
        projects: projects.map((p) => ({
          id: p.id,
          cost: votedCost(p),
          votes: votes.get(p.id) ?? 0,
          name: p.title,
          category: cycle.categories.find((c) => c.id === p.category_id)?.name ?? '',
          selected: p.winner,
          latitude: p.latitude,
          longitude: p.longitude,
        })),
        votes: ballots.map((b, i) => ({
          voterId: String(i + 1),
          projectIds: b.choices,
          voting_method: b.paper ? 'paper' : 'internet',
        })),
      });
      return reply
        .type('text/plain; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="ukraine_${city.slug}_${cycle.starts.voting.getUTCFullYear()}_${district.id}.pb"`,
        )
        .send(text);
    },
  );

  // ---- Creating a cycle (the city's editors) ----

  const editorCities = async (request: FastifyRequest) => {
    const allowed = editableCityIds(request.user);
    return (await listCities(db, { locale: request.locale, limit: 1000, offset: 0 })).items.filter(
      (c) => allowed === null || allowed.includes(c.id),
    );
  };

  app.get('/budgets/new', { preHandler: allow(editsSomeCity) }, async (request, reply) =>
    reply.page({
      title: request.t('budgets.new_cycle'),
      nav: 'budgets',
      body: cycleForm(
        request.pageContext(),
        await editorCities(request),
        { voting_rule: 'approval', max_choices: 3, min_age: 14, residents_only: 'on' },
        undefined,
      ),
    }),
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/budgets/new',
    { preHandler: allow(editsSomeCity) },
    async (request, reply) => {
      const cities = await editorCities(request);
      return submitForm(request, reply, {
        title: request.t('budgets.new_cycle'),
        action: async () => {
          const city = cities.find((c) => c.slug === request.body?.city);
          if (!city) throw new ValidationError([{ field: 'city', message: 'validation.one_of' }]);
          const input = parseCycleInput(request.body);
          const id = await db.transaction((tx) => createCycle(tx, actorOf(request), request.user!, city.id, input));
          return `/budgets/${id}`;
        },
        form: (errors) => cycleForm(request.pageContext(), cities, request.body ?? {}, errors),
      });
    },
  );

  // ---- Proposals ----

  app.get<{ Params: { id: number } }>(
    '/budgets/:id/projects/new',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      return reply.page({
        title: request.t('budgets.propose'),
        nav: 'budgets',
        ...PICKER,
        body: proposalForm(request.pageContext(), cycle, {}, undefined, null, await getCity(db, cycle.city_slug)),
      });
    },
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/budgets/:id/projects/new',
    { preHandler: allow(signedIn), schema: { params: idParams }, config: formRateLimit(30) },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const city = await getCity(db, cycle.city_slug);
      return submitForm(request, reply, {
        title: request.t('budgets.propose'),
        action: async () =>
          `/budgets/${cycle.id}/projects/${await db.transaction((tx) => proposeProject(tx, actorOf(request), request.user!, cycle, request.body, clock.now()))}`,
        form: (errors) => proposalForm(request.pageContext(), cycle, request.body ?? {}, errors, null, city),
      });
    },
  );

  app.get<{ Params: { id: number; pid: number } }>(
    '/budgets/:id/projects/:pid/edit',
    { preHandler: allow(signedIn), schema: { params: projectParams } },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const project = await getProject(db, cycle.id, request.params.pid);
      if (project.author_id !== request.user!.id) throw new ForbiddenError('only the author edits a proposal');
      const values = {
        ...project,
        district_id: String(project.district_id),
        category_id: String(project.category_id),
        cost_items: project.cost_items.map((i) => `${i.item}; ${i.amount}`).join('\n'),
      };
      return reply.page({
        title: request.t('budgets.edit_proposal'),
        nav: 'budgets',
        ...PICKER,
        body: proposalForm(
          request.pageContext(),
          cycle,
          values,
          undefined,
          project.id,
          await getCity(db, cycle.city_slug),
        ),
      });
    },
  );

  app.post<{ Params: { id: number; pid: number }; Body: Record<string, unknown> }>(
    '/budgets/:id/projects/:pid/edit',
    { preHandler: allow(signedIn), schema: { params: projectParams } },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const project = await getProject(db, cycle.id, request.params.pid);
      const city = await getCity(db, cycle.city_slug);
      return submitForm(request, reply, {
        title: request.t('budgets.edit_proposal'),
        action: async () => {
          await db.transaction((tx) =>
            updateProposal(tx, actorOf(request), request.user!, cycle, project, request.body, clock.now()),
          );
          return `/budgets/${cycle.id}/projects/${project.id}`;
        },
        form: (errors) => proposalForm(request.pageContext(), cycle, request.body ?? {}, errors, project.id, city),
      });
    },
  );

  /** A change to one project by the city's people; a ValidationError shows the project page with the messages. */
  function projectAction(
    path: string,
    action: (
      tx: Queryable,
      request: FastifyRequest<{ Params: { id: number; pid: number }; Body: Record<string, unknown> }>,
      cycle: Cycle,
      project: Project,
    ) => Promise<void>,
  ) {
    app.post<{ Params: { id: number; pid: number }; Body: Record<string, unknown> }>(
      `/budgets/:id/projects/:pid/${path}`,
      { preHandler: allow(signedIn), schema: { params: projectParams } },
      async (request, reply) => {
        const cycle = await cycleOf(request.params.id);
        const project = await getProject(db, cycle.id, request.params.pid);
        try {
          await db.transaction((tx) => action(tx, request, cycle, project));
          return reply.redirect(`/budgets/${cycle.id}/projects/${project.id}`, 303);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return renderProject(
            request,
            reply,
            cycle,
            project,
            { values: request.body ?? {}, errors: fieldMessages(request.t, error) },
            error.statusCode,
          );
        }
      },
    );
  }
  projectAction('review', (tx, request, cycle, project) =>
    reviewProject(tx, actorOf(request), request.user!, cycle, project, request.body, clock.now()),
  );
  projectAction('progress', (tx, request, cycle, project) =>
    recordProgress(tx, actorOf(request), request.user!, cycle, project, request.body),
  );

  // Images of a proposal (its author, while proposals are open) and photos of a winner's works
  // (the city's editors). PNG, JPEG or WebP whose content says so, each with a description.
  app.post<{ Params: { id: number; pid: number } }>(
    '/budgets/:id/projects/:pid/files',
    {
      preHandler: allow(signedIn),
      schema: { params: projectParams },
      config: { csrf: 'multipart', ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const project = await getProject(db, cycle.id, request.params.pid);
      const user = request.user!;
      const kind =
        project.author_id === user.id && phaseAt(cycle.starts, clock.now()) === 'proposals'
          ? 'image'
          : project.winner && canRun(user, cycle.city_id)
            ? 'photo'
            : null;
      if (!kind)
        throw new ForbiddenError(
          'images are added by the author while proposals are open, photos by the city to a winning project',
        );
      const fail = (field: string, message: string, status: number) =>
        renderProject(request, reply, cycle, project, { values: {}, errors: { [field]: request.t(message) } }, status);
      let upload;
      try {
        upload = await receiveUpload(request as never, app.files, MAX_IMAGE_BYTES, csrfBeforeFile(app, request, reply));
      } catch (error) {
        if (error instanceof FileTooLargeError) return fail('file', 'budgets.error.image_too_large', 413);
        throw error;
      }
      const stored = upload.stored;
      if (!stored) return fail('file', 'datastore.no_file', 422);
      const discard = () => app.files.remove(stored.file.key);
      const type = await sniffFileType(app.files, stored.file.key);
      if (!type || type === 'pdf') {
        await discard();
        return fail('file', 'budgets.error.image_type', 422);
      }
      const description = (upload.fields.description ?? '').trim();
      if (!description || description.length > 300) {
        await discard();
        return fail('description', description ? 'validation.too_long' : 'validation.required', 422);
      }
      const count = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM budget_files WHERE project_id = $1', [
        project.id,
      ]);
      if (count!.n >= MAX_IMAGES) {
        await discard();
        return fail('file', 'budgets.error.too_many_images', 422);
      }
      await db.query(
        'INSERT INTO budget_files (project_id, kind, description, file_key, file_name, mime_type, size_bytes, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [
          project.id,
          kind,
          description,
          stored.file.key,
          safeFileName(stored.fileName),
          MIME_TYPES[type],
          stored.file.size,
          stored.file.sha256,
        ],
      );
      return reply.redirect(`/budgets/${cycle.id}/projects/${project.id}`, 303);
    },
  );

  app.get<{ Params: { id: number; pid: number; fid: number } }>(
    '/budgets/:id/projects/:pid/files/:fid',
    {
      schema: {
        params: {
          type: 'object',
          properties: { ...projectParams.properties, fid: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
        },
      },
    },
    async (request, reply) => {
      const file = await db.one<{ file_key: string; mime_type: string }>(
        `SELECT f.file_key, f.mime_type FROM budget_files f JOIN budget_projects p ON p.id = f.project_id WHERE f.id = $1 AND p.id = $2 AND p.cycle_id = $3`,
        [request.params.fid, request.params.pid, request.params.id],
      );
      if (!file) throw new NotFoundError('no such image');
      reply.type(file.mime_type).header('cache-control', 'public, max-age=86400');
      return sendStoredFile(request, reply, app.files, file.file_key);
    },
  );

  // ---- The ballot ----

  const renderBallot = async (
    request: FastifyRequest<{ Params: { id: number } }>,
    reply: FastifyReply,
    cycle: Cycle,
    form: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string; status?: number },
  ) =>
    reply.page(
      {
        title: request.t('budgets.ballot.title'),
        nav: 'budgets',
        scripts: ['/static/build/ballot-meter.js'],
        body: ballotPage(
          request.pageContext(),
          cycle,
          await listProjects(db, cycle.id),
          await getBallot(db, cycle.id, request.user!.id),
          form.values ?? {},
          form.errors,
          form.notice,
          await firstImages(db, cycle.id),
        ),
      },
      form.status ?? 200,
    );

  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/budgets/:id/ballot',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const notice = request.query.done === 'saved' ? request.t('budgets.ballot.saved') : undefined;
      return renderBallot(request, reply, cycle, { notice });
    },
  );

  // The step between choosing and casting: the saved choices, read back from the database.
  app.get<{ Params: { id: number } }>(
    '/budgets/:id/ballot/review',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const cycle = await cycleOf(request.params.id);
      const ballot = await getBallot(db, cycle.id, request.user!.id);
      if (!ballot || ballot.confirmed_at || ballot.choices.length === 0)
        return reply.redirect(`/budgets/${cycle.id}/ballot`, 303);
      return reply.page({
        title: request.t('budgets.ballot.review_title'),
        nav: 'budgets',
        body: ballotReviewPage(request.pageContext(), cycle, await listProjects(db, cycle.id), ballot),
      });
    },
  );

  // Save (a draft), review (a draft checked as if cast, then the review page) or confirm (cast).
  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/budgets/:id/ballot',
    { preHandler: allow(signedIn), schema: { params: idParams }, config: formRateLimit(200) },
    async (request, reply) => {
      await ballotSavers.hit(request, `account:${request.user!.id}`);
      const cycle = await cycleOf(request.params.id);
      try {
        const input = parseBallotInput(request.body);
        if (input.confirm) input.review = false;
        await saveBallot(db, actorOf(request), request.user!, cycle, input, clock.now());
        return reply.redirect(
          input.confirm
            ? `/budgets/${cycle.id}/ballot?done=confirmed`
            : input.review
              ? `/budgets/${cycle.id}/ballot/review`
              : `/budgets/${cycle.id}/ballot?done=saved`,
          303,
        );
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // Every problem with the choices is listed, each naming its project, category or district.
        const errors = fieldMessages(request.t, error);
        const choices = error.problems.filter((p) => p.field === 'projects');
        if (choices.length) errors.projects = choices.map((p) => request.t(p.message, p.params)).join(' ');
        return renderBallot(request, reply, cycle, {
          values: request.body ?? {},
          errors,
          status: error.statusCode,
        });
      }
    },
  );

  // ---- Running the cycle: paper ballots and results ----

  const runner = async (request: FastifyRequest<{ Params: { id: number } }>) => {
    const cycle = await cycleOf(request.params.id);
    if (!canRun(request.user, cycle.city_id)) throw new ForbiddenError('only the city’s editors run its budget');
    return cycle;
  };

  app.get<{ Params: { id: number } }>(
    '/budgets/:id/manage',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const cycle = await runner(request);
      return reply.page({
        title: request.t('budgets.manage'),
        nav: 'budgets',
        body: managePage(request.pageContext(), cycle, clock.now(), {}, undefined, undefined, {
          programmes: await programmeCodesOf(db, cycle.city_id),
        }),
      });
    },
  );

  /** The manage page again with the form's problems (the programme field offers the city's programmes). */
  const manageFailed = async (
    request: FastifyRequest,
    reply: FastifyReply,
    cycle: Cycle,
    values: Record<string, unknown>,
    error: ValidationError,
  ) =>
    reply.page(
      {
        title: request.t('budgets.manage'),
        nav: 'budgets',
        body: managePage(
          request.pageContext(),
          cycle,
          clock.now(),
          values,
          fieldMessages(request.t, error),
          undefined,
          { programmes: await programmeCodesOf(db, cycle.city_id) },
        ),
      },
      error.statusCode,
    );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/budgets/:id/paper',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const cycle = await runner(request);
      const body = {
        ...(request.body ?? {}),
        projects: String(request.body?.projects ?? '')
          .split(/[\s,;]+/)
          .filter(Boolean),
      };
      try {
        await enterPaperBallot(db, actorOf(request), request.user!, cycle, body, clock.now());
        return reply.redirect(`/budgets/${cycle.id}/manage`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return manageFailed(request, reply, cycle, request.body ?? {}, error);
      }
    },
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/budgets/:id/programme',
    { preHandler: allow(signedIn), schema: { params: idParams }, config: formRateLimit(60) },
    async (request, reply) => {
      const cycle = await runner(request);
      try {
        await db.transaction((tx) => setCycleProgramme(tx, actorOf(request), request.user!, cycle, request.body));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return manageFailed(request, reply, cycle, request.body ?? {}, error);
      }
      return reply.redirect(`/budgets/${cycle.id}#programme`, 303);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/budgets/:id/results',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const cycle = await runner(request);
      try {
        await db.transaction((tx) => computeResults(tx, actorOf(request), cycle, clock.now()));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return manageFailed(request, reply, cycle, {}, error);
      }
      return reply.redirect(`/budgets/${cycle.id}?done=results`, 303);
    },
  );

  // ---- API ----

  app.get(
    '/api/v1/budgets',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['budgets'],
        operationId: 'listBudgetCycles',
        summary: 'Participatory-budget cycles of every city',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: cycleJson } } },
          ...errorResponses,
        },
      },
    },
    async () => ({
      items: await Promise.all((await listCycles(db)).map(async (c) => presentCycle(await getCycle(db, c.id)))),
    }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/budgets/:id',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['budgets'],
        operationId: 'getBudgetCycle',
        summary: 'One cycle with its districts, categories and phases',
        params: idParams,
        response: { 200: cycleJson, 404: problemSchema, ...errorResponses },
      },
    },
    async (request) => presentCycle(await cycleOf(request.params.id)),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/budgets/:id/projects',
    {
      config: apiRateLimit(app),
      schema: {
        tags: ['budgets'],
        operationId: 'listBudgetProjects',
        summary: 'A cycle’s projects, with votes once they are public',
        params: idParams,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: projectJson } } },
          404: problemSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const cycle = await cycleOf(request.params.id);
      const votes = votesShown(cycle, clock.now()) ? await countVotes(db, cycle.id) : null;
      return { items: (await listProjects(db, cycle.id)).map((p) => presentProject(p, votes)) };
    },
  );

  app.put<{
    Params: { id: number };
    Body: { projects: number[]; birth_year: number; resident: boolean; confirm?: boolean };
  }>(
    '/api/v1/budgets/:id/ballot',
    {
      preHandler: allow(signedIn),
      config: apiRateLimit(app),
      schema: {
        tags: ['budgets'],
        operationId: 'saveBudgetBallot',
        summary: 'Save (and with confirm, cast) the token owner’s ballot',
        security: [{ bearerAuth: [] }],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['projects', 'birth_year', 'resident'],
          properties: {
            projects: { type: 'array', maxItems: 500, items: { type: 'integer', minimum: 1 } },
            birth_year: { type: 'integer' },
            resident: { type: 'boolean' },
            confirm: { type: 'boolean', default: false },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              projects: { type: 'array', items: { type: 'integer' } },
              confirmed_at: { type: ['string', 'null'], format: 'date-time' },
            },
          },
          401: { ...problemSchema, description: 'No token, or an unknown or revoked one' },
          403: {
            ...problemSchema,
            description: 'The voter does not meet the cycle’s rules (age, residence, identity)',
          },
          404: problemSchema,
          409: { ...problemSchema, description: 'The cycle is not voting, or this ballot is already cast' },
          422: {
            ...problemSchema,
            description: 'The choices break the voting rule; each problem is named in `errors`',
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      await ballotSavers.hit(request, `account:${request.user!.id}`);
      const cycle = await cycleOf(request.params.id);
      const ballot = await saveBallot(
        db,
        actorOf(request),
        request.user!,
        cycle,
        {
          choices: request.body.projects,
          birthYear: request.body.birth_year,
          resident: request.body.resident,
          confirm: request.body.confirm ?? false,
        },
        clock.now(),
      );
      return {
        projects: ballot.choices,
        confirmed_at: ballot.confirmed_at ? new Date(ballot.confirmed_at).toISOString() : null,
      };
    },
  );
}

export const budgetsModule = fp(routes, { name: 'budgets', dependencies: ['catalog'] });
