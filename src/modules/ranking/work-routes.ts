// The ranking's working side: the methodologist (import, edit, publish, copy), the campaign
// manager (cities, phases, assignments, publication, corrections), assessors scoring their
// cities with evidence, coordinators verifying their oblast and deciding appeals. Who may do
// what is decided in workflow.ts and campaigns.ts; these routes only call them.
import fs from 'node:fs';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allow, isAdmin, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages } from '../../platform/http/forms.ts';
import { formRateLimit } from '../../platform/http/rate-limits.ts';
import { FileTooLargeError, receiveUpload } from '../../platform/files.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { getCity, listCities, type City } from '../cities/service.ts';
import { openXlsxSheet, XlsxError } from '../datastore/xlsx.ts';
import {
  advancePhase,
  correctScore,
  createCampaign,
  getCampaign,
  listCampaigns,
  publishCampaign,
  setCampaignCities,
  type Campaign,
} from './campaigns.ts';
import { indicatorScores, loadBoard, methodologyOf } from './board.ts';
import {
  copyMethodology,
  editMethodology,
  exportMethodology,
  importMethodology,
  parseMethodology,
  publishMethodology,
  type MethodologyDocument,
} from './methodology.ts';
import { areaFromForm, indicatorFromForm, methodologyFromRows } from './methodology-io.ts';
import { publishRankingData } from './open-data.ts';
import { evidenceFiles, loadAppeals, receiveEvidence, saveEvidenceFile } from './routes.ts';
import { budgetYears } from '../open-budget/service.ts';
import {
  assignAssessor,
  assignCoordinator,
  campaignRoles,
  cityWork,
  decideAppeal,
  saveScore,
  seesCity,
  verifyScore,
  worksOn,
} from './workflow.ts';
import {
  appealsPage,
  assessPage,
  campaignManagePage,
  manageIndexPage,
  methodologyEditPage,
  workPage,
  type MethodologySummary,
} from './workspace-views.ts';

const int = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const idParams = { type: 'object', properties: { id: int }, required: ['id'] } as const;
const cityParams = {
  type: 'object',
  properties: { id: int, slug: { type: 'string', pattern: '^[a-z0-9-]{1,80}$' } },
  required: ['id', 'slug'],
} as const;
const scoreParams = {
  type: 'object',
  properties: { ...cityParams.properties, code: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,20}$' } },
  required: ['id', 'slug', 'code'],
} as const;
const codeParams = {
  type: 'object',
  properties: { id: int, code: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,20}$' } },
  required: ['id', 'code'],
} as const;
const MAX_METHODOLOGY_BYTES = 5 * 1024 * 1024;

type Body = Record<string, unknown>;

async function routes(app: FastifyInstance) {
  const { db, clock } = app;
  const allCities = (request: FastifyRequest) =>
    listCities(db, { locale: request.locale, limit: 1000, offset: 0 }).then((r) => r.items);

  // ---- Methodologies and campaigns (admins) ----

  async function renderManage(
    request: FastifyRequest,
    reply: FastifyReply,
    values: Body = {},
    errors?: Record<string, string>,
    status = 200,
  ) {
    const methodologies = await db.query<MethodologySummary>(
      'SELECT id, year, version, title_uk, title_en, title_bg, published_at, demo FROM ranking_methodologies ORDER BY year DESC, id DESC',
    );
    return reply.page(
      {
        title: request.t('ranking.manage.title'),
        nav: 'ranking',
        body: manageIndexPage(
          request.pageContext(),
          methodologies,
          await listCampaigns(db),
          await allCities(request),
          values,
          errors,
        ),
      },
      status,
    );
  }

  /** Runs an admin's change; a ValidationError shows the page again with the messages. */
  async function attempt(
    reply: FastifyReply,
    request: FastifyRequest,
    change: () => Promise<string>,
    again: (errors: Record<string, string>, status: number) => Promise<FastifyReply>,
  ) {
    try {
      return reply.redirect(await change(), 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return again(fieldMessages(request.t, error), error.statusCode);
    }
  }

  app.get('/ranking/manage', { preHandler: allow(isAdmin) }, async (request, reply) => renderManage(request, reply));

  app.post(
    '/ranking/methodologies/import',
    { preHandler: allow(isAdmin), config: { csrf: 'multipart' } },
    async (request, reply) => {
      let upload;
      try {
        upload = await receiveUpload(
          request as never,
          app.files,
          MAX_METHODOLOGY_BYTES,
          csrfBeforeFile(app, request, reply),
        );
      } catch (error) {
        if (error instanceof FileTooLargeError)
          return renderManage(request, reply, {}, { file: request.t('ranking.error.file_too_large') }, 413);
        throw error;
      }
      const stored = upload.stored;
      if (!stored) return renderManage(request, reply, {}, { file: request.t('datastore.no_file') }, 422);
      try {
        // The upload is only read here, and removed below however the import ends.
        const raw = await app.files.withLocalFile(stored.file.key, async (path): Promise<unknown> => {
          if (/\.xlsx$/i.test(stored.fileName)) {
            const sheet = await openXlsxSheet(path);
            const rows: string[][] = [];
            try {
              for await (const row of sheet.rows()) if (rows.length < 5000) rows.push(row.cells);
            } finally {
              sheet.close();
            }
            return methodologyFromRows(rows);
          }
          try {
            return JSON.parse(fs.readFileSync(path, 'utf8'));
          } catch {
            throw new ValidationError([{ field: 'file', message: 'ranking.error.json' }]);
          }
        });
        const document = parseMethodology(raw);
        const id = await db.transaction((tx) => importMethodology(tx, actorOf(request), document));
        return reply.redirect(`/ranking/methodologies/${id}`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) {
          if (error instanceof XlsxError)
            return renderManage(request, reply, {}, { file: request.t('ranking.error.xlsx') }, 422);
          throw error;
        }
        return renderManage(request, reply, {}, fieldMessages(request.t, error), error.statusCode);
      } finally {
        await app.files.remove(stored.file.key);
      }
    },
  );

  app.post<{ Params: { id: number } }>(
    '/ranking/methodologies/:id/publish',
    { preHandler: allow(isAdmin), schema: { params: idParams } },
    async (request, reply) =>
      attempt(
        reply,
        request,
        async () => {
          await db.transaction((tx) => publishMethodology(tx, actorOf(request), request.params.id, clock.now()));
          return `/ranking/methodologies/${request.params.id}`;
        },
        (errors, status) => renderManage(request, reply, {}, errors, status),
      ),
  );

  app.post<{ Params: { id: number }; Body: Body }>(
    '/ranking/methodologies/:id/copy',
    { preHandler: allow(isAdmin), schema: { params: idParams } },
    async (request, reply) =>
      attempt(
        reply,
        request,
        async () => {
          const id = await db.transaction((tx) =>
            copyMethodology(tx, actorOf(request), request.params.id, String(request.body?.version ?? '').trim()),
          );
          return `/ranking/methodologies/${id}/edit`;
        },
        (errors, status) => renderManage(request, reply, {}, errors, status),
      ),
  );

  // The editor of a draft version.
  async function renderEditor(
    request: FastifyRequest<{ Params: { id: number } }>,
    reply: FastifyReply,
    errors?: Record<string, string>,
    status = 200,
    notice?: string,
  ) {
    const methodology = await exportMethodology(db, request.params.id);
    return reply.page(
      {
        title: request.t('ranking.edit_methodology', { version: methodology.version }),
        nav: 'ranking',
        body: methodologyEditPage(request.pageContext(), request.params.id, methodology, errors, notice),
      },
      status,
    );
  }

  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/ranking/methodologies/:id/edit',
    { preHandler: allow(isAdmin), schema: { params: idParams } },
    async (request, reply) => {
      // A published version is frozen: its page is where it is read.
      if (
        await db.one('SELECT 1 FROM ranking_methodologies WHERE id = $1 AND published_at IS NOT NULL', [
          request.params.id,
        ])
      ) {
        return reply.redirect(`/ranking/methodologies/${request.params.id}`, 303);
      }
      return renderEditor(request, reply, undefined, 200, request.query.done ? request.t('ranking.saved') : undefined);
    },
  );

  type EditRequest = FastifyRequest<{ Params: { id: number; code: string }; Body: Body }>;
  function editRoute(
    path: string,
    params: object,
    change: (document: MethodologyDocument, request: EditRequest) => void,
  ) {
    app.post<{ Params: { id: number; code: string }; Body: Body }>(
      path,
      { preHandler: allow(isAdmin), schema: { params } },
      async (request, reply) =>
        attempt(
          reply,
          request,
          async () => {
            await db.transaction((tx) =>
              editMethodology(tx, actorOf(request), request.params.id, (document) => change(document, request)),
            );
            return `/ranking/methodologies/${request.params.id}/edit?done=1`;
          },
          (errors, status) => renderEditor(request, reply, errors, status),
        ),
    );
  }
  const areaOf = (document: MethodologyDocument, code: string) => {
    const area = document.areas.find((a) => a.code === code);
    if (!area) throw new ValidationError([{ field: 'area', message: 'ranking.error.no_area' }], 404);
    return area;
  };
  const indicatorAt = (document: MethodologyDocument, code: string) => {
    for (const area of document.areas) {
      const index = area.indicators.findIndex((i) => i.code === code);
      if (index >= 0) return { area, index };
    }
    throw new ValidationError([{ field: 'indicator', message: 'ranking.error.no_indicator' }], 404);
  };
  editRoute('/ranking/methodologies/:id/areas/:code', codeParams, (document, request) => {
    Object.assign(areaOf(document, request.params.code), areaFromForm(request.body));
  });
  editRoute('/ranking/methodologies/:id/areas', idParams, (document, request) => {
    document.areas.push({
      code: String(request.body?.code ?? '').trim(),
      ...areaFromForm(request.body),
      indicators: [],
    });
  });
  editRoute('/ranking/methodologies/:id/areas/:code/indicators', codeParams, (document, request) => {
    areaOf(document, request.params.code).indicators.push(
      indicatorFromForm(String(request.body?.code ?? '').trim(), request.body),
    );
  });
  editRoute('/ranking/methodologies/:id/indicators/:code', codeParams, (document, request) => {
    const { area, index } = indicatorAt(document, request.params.code);
    area.indicators[index] = indicatorFromForm(request.params.code, request.body);
  });
  editRoute('/ranking/methodologies/:id/indicators/:code/delete', codeParams, (document, request) => {
    const { area, index } = indicatorAt(document, request.params.code);
    area.indicators.splice(index, 1);
  });

  app.post<{ Body: Body }>('/ranking/campaigns', { preHandler: allow(isAdmin) }, async (request, reply) =>
    attempt(
      reply,
      request,
      async () =>
        `/ranking/campaigns/${await db.transaction((tx) => createCampaign(tx, actorOf(request), request.user!, request.body))}/manage`,
      (errors, status) => renderManage(request, reply, request.body ?? {}, errors, status),
    ),
  );

  // ---- One campaign (admins) ----

  /** Per city: how many indicators are scored, verified and returned. */
  const progressOf = (campaignId: number) =>
    db.query<{ city_id: number; scored: number; verified: number; returned: number }>(
      `SELECT city_id, count(*)::int AS scored, count(*) FILTER (WHERE verification = 'accepted')::int AS verified,
       count(*) FILTER (WHERE verification = 'returned')::int AS returned FROM ranking_scores WHERE campaign_id = $1 GROUP BY city_id`,
      [campaignId],
    );
  /** From the methodology, which a campaign's is (published, so read once). */
  const indicatorCount = async (campaign: Campaign) =>
    (await methodologyOf(db, campaign.methodology_id)).areas.reduce((n, a) => n + a.indicators.length, 0);

  async function renderCampaign(
    request: FastifyRequest<{ Params: { id: number } }>,
    reply: FastifyReply,
    values: Body = {},
    errors?: Record<string, string>,
    status = 200,
    notice?: string,
  ) {
    const campaign = await getCampaign(db, request.params.id);
    const [cities, progress, assignments, coordinators, assessors, regionalCoordinators, count] = await Promise.all([
      allCities(request),
      progressOf(campaign.id),
      db.query<{ id: number; assessor: string; city_id: number; conflict_override_reason: string | null }>(
        'SELECT a.id, u.display_name AS assessor, a.city_id, a.conflict_override_reason FROM ranking_assignments a JOIN users u ON u.id = a.assessor_id WHERE a.campaign_id = $1 ORDER BY a.id',
        [campaign.id],
      ),
      db.query<{ name: string; oblast: string }>(
        `SELECT u.display_name AS name, o.name_${request.locale} AS oblast FROM ranking_coordinators rc JOIN users u ON u.id = rc.coordinator_id
        JOIN oblasts o ON o.slug = rc.oblast_slug WHERE rc.campaign_id = $1`,
        [campaign.id],
      ),
      db.query<{ id: number; name: string }>(
        `SELECT DISTINCT u.id, u.display_name AS name FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.role = 'cso_assessor' ORDER BY name`,
      ),
      db.query<{
        id: number;
        name: string;
        oblast: string;
        oblast_name: string;
      }>(`SELECT u.id, u.display_name AS name, m.oblast_slug AS oblast, o.name_${request.locale} AS oblast_name
        FROM users u JOIN memberships m ON m.user_id = u.id JOIN oblasts o ON o.slug = m.oblast_slug WHERE m.role = 'regional_coordinator' ORDER BY name`),
      indicatorCount(campaign),
    ]);
    return reply.page(
      {
        title: request.t('ranking.manage.title'),
        nav: 'ranking',
        body: campaignManagePage(request.pageContext(), campaign, {
          cities,
          indicatorCount: count,
          progress,
          assignments,
          coordinators,
          assessors,
          regionalCoordinators,
          values,
          errors,
          notice,
        }),
      },
      status,
    );
  }

  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/ranking/campaigns/:id/manage',
    { preHandler: allow(isAdmin), schema: { params: idParams } },
    async (request, reply) =>
      renderCampaign(request, reply, {}, undefined, 200, request.query.done ? request.t('ranking.saved') : undefined),
  );

  function campaignAction(
    path: string,
    change: (
      tx: Queryable,
      campaign: Campaign,
      request: FastifyRequest<{ Params: { id: number }; Body: Body }>,
    ) => Promise<unknown>,
  ) {
    app.post<{ Params: { id: number }; Body: Body }>(
      `/ranking/campaigns/:id/${path}`,
      { preHandler: allow(isAdmin), schema: { params: idParams } },
      async (request, reply) =>
        attempt(
          reply,
          request,
          async () => {
            await db.transaction(async (tx) => change(tx, await getCampaign(tx, request.params.id), request as never));
            return `/ranking/campaigns/${request.params.id}/manage?done=1`;
          },
          (errors, status) => renderCampaign(request, reply, request.body ?? {}, errors, status),
        ),
    );
  }
  campaignAction('phase', (tx, campaign, request) => advancePhase(tx, actorOf(request), request.user!, campaign));
  campaignAction('cities', (tx, campaign, request) =>
    setCampaignCities(tx, actorOf(request), request.user!, campaign, request.body?.cities),
  );
  const ID = { integer: true, min: 1, max: 2_147_483_647, required: true };
  campaignAction('assignments', (tx, campaign, request) => {
    const check = new Checker(request.body);
    const assessor = check.number('assessor', ID);
    const city = check.number('city', ID);
    const reason = check.text('override_reason', { max: 2000 });
    check.done();
    return assignAssessor(tx, actorOf(request), request.user!, campaign.id, assessor!, city!, reason);
  });
  campaignAction('coordinators', (tx, campaign, request) => {
    // "<user id>:<oblast slug>", as the form's options give it.
    const check = new Checker(request.body);
    const choice = /^(\d{1,10}):([a-z0-9-]{1,80})$/.exec(check.text('coordinator', { required: true, max: 100 }));
    const id = choice ? Number(choice[1]) : 0;
    if (!choice || id < 1 || id > ID.max) check.fail('coordinator', 'validation.one_of');
    check.done();
    return assignCoordinator(tx, actorOf(request), request.user!, campaign.id, id, choice![2]!);
  });

  // Publishing and correcting change the results and the open datasets together.
  app.post<{ Params: { id: number } }>(
    '/ranking/campaigns/:id/publish',
    { preHandler: allow(isAdmin), schema: { params: idParams } },
    async (request, reply) =>
      attempt(
        reply,
        request,
        async () => {
          await db.transaction(async (tx) => {
            await publishCampaign(
              tx,
              actorOf(request),
              request.user!,
              await getCampaign(tx, request.params.id),
              clock.now(),
            );
            const board = await loadBoard(tx, await getCampaign(tx, request.params.id));
            await publishRankingData(
              tx,
              actorOf(request),
              board,
              await indicatorScores(tx, board.campaign.id),
              app.files,
            );
          });
          return `/ranking/campaigns/${request.params.id}`;
        },
        (errors, status) => renderCampaign(request, reply, {}, errors, status),
      ),
  );

  app.post<{ Params: { id: number }; Body: Body }>(
    '/ranking/campaigns/:id/corrections',
    { preHandler: allow(isAdmin), schema: { params: idParams } },
    async (request, reply) =>
      attempt(
        reply,
        request,
        async () => {
          const cityId = Number(request.body?.city);
          await db.transaction(async (tx) => {
            await correctScore(
              tx,
              actorOf(request),
              request.user!,
              await getCampaign(tx, request.params.id),
              cityId,
              request.body,
              clock.now(),
            );
            const board = await loadBoard(tx, await getCampaign(tx, request.params.id));
            await publishRankingData(
              tx,
              actorOf(request),
              board,
              await indicatorScores(tx, board.campaign.id, { cityId }),
              app.files,
              cityId,
            );
          });
          return `/ranking/campaigns/${request.params.id}`;
        },
        (errors, status) => renderCampaign(request, reply, request.body ?? {}, errors, status),
      ),
  );

  // ---- Assessors and coordinators ----

  app.get<{ Params: { id: number } }>(
    '/ranking/campaigns/:id/work',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const campaign = await getCampaign(db, request.params.id);
      const roles = await campaignRoles(db, request.user, campaign.id);
      if (!worksOn(roles))
        throw new ForbiddenError('only the campaign’s assessors, coordinators and admins work on it');
      const cities = (await allCities(request)).filter((c) => campaign.city_ids.includes(c.id));
      const progress = await progressOf(campaign.id);
      const rows = cities.flatMap((city) => {
        const role = roles.assesses.includes(city.id)
          ? ('assess' as const)
          : roles.coordinates.includes(city.oblast_slug) || roles.admin
            ? ('verify' as const)
            : null;
        if (!role) return [];
        const p = progress.find((x) => x.city_id === city.id);
        return [{ city, role, scored: p?.scored ?? 0, verified: p?.verified ?? 0, returned: p?.returned ?? 0 }];
      });
      const pending = await db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM ranking_appeals a JOIN cities c ON c.id = a.city_id WHERE a.campaign_id = $1 AND a.state = 'pending' AND ($2 OR c.oblast_slug = ANY($3::text[]))`,
        [campaign.id, roles.admin, roles.coordinates],
      );
      return reply.page({
        title: request.t('ranking.work.title'),
        nav: 'ranking',
        body: workPage(request.pageContext(), campaign, rows, await indicatorCount(campaign), pending!.n),
      });
    },
  );

  async function cityContext(request: FastifyRequest<{ Params: { id: number; slug: string } }>) {
    const campaign = await getCampaign(db, request.params.id);
    const city = await getCity(db, request.params.slug);
    if (!campaign.city_ids.includes(city.id)) throw new NotFoundError('this city does not take part in the campaign');
    const mode = cityWork(await campaignRoles(db, request.user, campaign.id), campaign.phase, city);
    if (!mode.sees)
      throw new ForbiddenError('only the city’s assessors, its oblast’s coordinator and admins see its assessment');
    return { campaign, city, mode };
  }

  async function renderAssess(
    request: FastifyRequest<{ Params: { id: number; slug: string } }>,
    reply: FastifyReply,
    errors?: Record<string, string>,
    status = 200,
    notice?: string,
  ) {
    const { campaign, city, mode } = await cityContext(request);
    // The city's budget page on this platform, offered as evidence for the budget indicators: the
    // campaign's year if imported, else the latest year before it, else the latest.
    const years = await budgetYears(db, city.id);
    const year = years.find((y) => y <= campaign.year) ?? years[0];
    const budgetPage =
      year === undefined
        ? null
        : { url: `${app.config.publicUrl.replace(/\/$/, '')}/city-budget/${city.slug}/${year}`, year };
    return reply.page(
      {
        title: request.t('ranking.assess.title', { city: city.name_uk }),
        nav: 'ranking',
        scripts: ['/static/build/ranking-autosave.js'],
        body: assessPage(request.pageContext(), campaign, city, await methodologyOf(db, campaign.methodology_id), {
          scores: await indicatorScores(db, campaign.id, { cityId: city.id }),
          files: await evidenceFiles(db, campaign.id, city.id),
          mode,
          errors,
          notice,
          budgetPage,
        }),
      },
      status,
    );
  }

  app.get<{ Params: { id: number; slug: string }; Querystring: { done?: string } }>(
    '/ranking/campaigns/:id/cities/:slug/assess',
    { preHandler: allow(signedIn), schema: { params: cityParams } },
    async (request, reply) =>
      renderAssess(request, reply, undefined, 200, request.query.done ? request.t('ranking.saved') : undefined),
  );

  /** A change to one indicator's score; the autosave island asks for JSON, a plain form gets the page back. */
  function scoreAction(
    path: string,
    change: (
      tx: Queryable,
      request: FastifyRequest<{ Params: { id: number; slug: string; code: string }; Body: Body }>,
      campaign: Campaign,
      city: City,
    ) => Promise<void>,
  ) {
    app.post<{ Params: { id: number; slug: string; code: string }; Body: Body }>(
      `/ranking/campaigns/:id/cities/:slug/scores/:code${path}`,
      {
        preHandler: allow(signedIn),
        schema: { params: scoreParams },
        config: formRateLimit(600),
      },
      async (request, reply) => {
        const wantsJson = (request.headers.accept ?? '').includes('application/json');
        const { campaign, city } = await cityContext(request);
        try {
          await db.transaction((tx) => change(tx, request, campaign, city));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const messages = fieldMessages(request.t, error);
          if (wantsJson) return reply.code(error.statusCode).send({ saved: false, errors: messages });
          return renderAssess(
            request,
            reply,
            Object.fromEntries(
              Object.entries(messages).map(([field, message]) => [`${request.params.code}.${field}`, message]),
            ),
            error.statusCode,
          );
        }
        if (wantsJson) {
          const done = await db.one<{ n: number }>(
            'SELECT count(*)::int AS n FROM ranking_scores WHERE campaign_id = $1 AND city_id = $2',
            [campaign.id, city.id],
          );
          return reply.send({ saved: true, scored: done!.n });
        }
        return reply.redirect(
          `/ranking/campaigns/${campaign.id}/cities/${city.slug}/assess?done=1#indicator-${request.params.code}`,
          303,
        );
      },
    );
  }
  scoreAction('', (tx, request, campaign, city) =>
    saveScore(
      tx,
      actorOf(request),
      request.user!,
      campaign.id,
      city.id,
      request.params.code,
      request.body,
      clock.now(),
      app.config.publicUrl,
    ),
  );
  scoreAction('/verify', (tx, request, campaign, city) =>
    verifyScore(tx, actorOf(request), request.user!, campaign.id, city.id, request.params.code, request.body),
  );

  app.post<{ Params: { id: number; slug: string; code: string } }>(
    '/ranking/campaigns/:id/cities/:slug/scores/:code/files',
    {
      preHandler: allow(signedIn),
      schema: { params: scoreParams },
      config: { csrf: 'multipart', ...formRateLimit(100) },
    },
    async (request, reply) => {
      const { campaign, city, mode } = await cityContext(request);
      if (!mode.assess && !mode.rework)
        throw new ForbiddenError('evidence is attached by the city’s assessors while they score it');
      const evidence = await receiveEvidence(app, request, reply);
      const fail = (message: string, status: number) =>
        renderAssess(request, reply, { [`${request.params.code}.file`]: request.t(message) }, status);
      if (evidence.problem) return fail(evidence.problem.message, evidence.problem.status);
      if (!evidence.stored || !evidence.type) return fail('datastore.no_file', 422);
      if (
        !(await db.one('SELECT 1 FROM ranking_indicators WHERE methodology_id = $1 AND code = $2', [
          campaign.methodology_id,
          request.params.code,
        ]))
      ) {
        await app.files.remove(evidence.stored.file.key);
        throw new NotFoundError('no such indicator in this campaign’s methodology');
      }
      await saveEvidenceFile(db, {
        campaignId: campaign.id,
        cityId: city.id,
        indicatorCode: request.params.code,
        appealId: null,
        userId: request.user!.id,
        stored: evidence.stored,
        type: evidence.type,
      });
      return reply.redirect(
        `/ranking/campaigns/${campaign.id}/cities/${city.slug}/assess?done=1#indicator-${request.params.code}`,
        303,
      );
    },
  );

  // ---- Appeals ----

  async function renderAppeals(
    request: FastifyRequest,
    reply: FastifyReply,
    campaign: Campaign,
    errors?: Record<string, string>,
    status = 200,
  ) {
    const roles = await campaignRoles(db, request.user, campaign.id);
    const cities = await allCities(request);
    // Public once published; before, each person sees the appeals of the cities they work on.
    const appeals = (await loadAppeals(db, campaign.id)).filter((a) => {
      const city = cities.find((c) => c.id === a.city_id);
      return campaign.phase === 'published' || (city !== undefined && seesCity(roles, city));
    });
    const methodology = await methodologyOf(db, campaign.methodology_id);
    const indicators = new Map(methodology.areas.flatMap((a) => a.indicators).map((i) => [i.code, i]));
    const rows = appeals.map((a) => {
      const city = cities.find((c) => c.id === a.city_id)!;
      const indicator = indicators.get(a.code);
      return {
        ...a,
        city,
        canDecide: campaign.phase === 'appeals' && (roles.admin || roles.coordinates.includes(city.oblast_slug)),
        levels: indicator?.levels.map((l) => l.value) ?? [],
        na: indicator?.not_applicable_allowed ?? false,
      };
    });
    return reply.page(
      {
        title: request.t('ranking.appeals.title'),
        nav: 'ranking',
        body: appealsPage(request.pageContext(), campaign, rows, errors),
      },
      status,
    );
  }

  app.get<{ Params: { id: number } }>(
    '/ranking/campaigns/:id/appeals',
    { schema: { params: idParams } },
    async (request, reply) => renderAppeals(request, reply, await getCampaign(db, request.params.id)),
  );

  app.post<{ Params: { id: number }; Body: Body }>(
    '/ranking/appeals/:id/decide',
    { preHandler: allow(signedIn), schema: { params: idParams } },
    async (request, reply) => {
      const appeal = await db.one<{ campaign_id: number }>('SELECT campaign_id FROM ranking_appeals WHERE id = $1', [
        request.params.id,
      ]);
      if (!appeal) throw new NotFoundError('no such appeal');
      return attempt(
        reply,
        request,
        async () => {
          await db.transaction((tx) =>
            decideAppeal(tx, actorOf(request), request.user!, request.params.id, request.body, clock.now()),
          );
          return `/ranking/campaigns/${appeal.campaign_id}/appeals#appeal-${request.params.id}`;
        },
        async (errors, status) =>
          renderAppeals(request, reply, await getCampaign(db, appeal.campaign_id), errors, status),
      );
    },
  );
}

export const rankingWorkModule = fp(routes, { name: 'ranking-work', dependencies: ['ranking'] });
