// Datathons: the list (/datathons), each datathon's hub (/datathons/:id — the community event's
// id — with its challenges, teams, submissions, results, the jury's page and the organisers'
// page), teams and their submissions, screenshots, the people's vote, scoring, CSV exports for
// the open-data dataset, and /api/v1/datathons. Who may do what is decided in policy.ts.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csvLine } from '../../platform/csv.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { allow, signedIn } from '../../platform/http/guards.ts';
import { actorOf, csrfBeforeFile, fieldMessages } from '../../platform/http/forms.ts';
import { apiRateLimit, formRateLimit, uploadRateLimit, WindowCounter } from '../../platform/http/rate-limits.ts';
import { errorResponses, pageOf, paginationQuery, problemSchema } from '../../platform/http/schemas.ts';
import {
  FileTooLargeError,
  MIME_TYPES,
  type ReceivedUpload,
  receiveUpload,
  sendStoredFile,
  sniffFileType,
} from '../../platform/files.ts';
import type { SafeHtml } from '../../platform/html/html.ts';
import { localName } from '../cities/service.ts';
import { parseInvalidation } from '../petitions/service.ts';
import { canManageDatathon, canSeeScoresheet, canSeeSubmission, isJudge, isTeamMember } from './policy.ts';
import {
  addCriterion,
  addJudge,
  addScreenshot,
  assertEditable,
  castVote,
  countSubmissions,
  createTeam,
  datathonOrEvent,
  datathonResults,
  decideRequest,
  getDatathon,
  getSubmission,
  getTeam,
  invalidateVotes,
  inviteToTeam,
  leaveTeam,
  listChallenges,
  listConflicts,
  listDatathons,
  listInvalidations,
  listJudges,
  listScores,
  listSubmissions,
  listTeams,
  parseChallenge,
  parseScores,
  parseSettings,
  parseSubmission,
  publishResults,
  removeCriterion,
  removeJudge,
  removeScreenshot,
  requestToJoin,
  saveChallenge,
  saveSettings,
  saveSubmission,
  scoreSubmission,
  sharedOrganization,
  teamOf,
  pendingRequests,
  voteCounts,
  voteOf,
  votingOpen,
  getChallenge,
  type Datathon,
  type Submission,
} from './service.ts';
import {
  challengeForm,
  challengesPage,
  judgingPage,
  listPage,
  managePage,
  notSetUpPage,
  resultsPage,
  submissionPage,
  submissionsPage,
  teamPage,
  teamsPage,
  type Flash,
  type HubRoles,
} from './views.ts';
import { registerDatathonSections } from './sections.ts';

const MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024;
const PAGE = 20;
const HOUR = 3_600_000;

const int = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const params = (...names: string[]) =>
  ({
    type: 'object',
    required: names,
    properties: Object.fromEntries(names.map((n) => [n, int])),
  }) as const;
const idParams = params('id');
const offsetQuery = {
  type: 'object',
  properties: {
    offset: paginationQuery.offset,
    done: { type: 'string', maxLength: 40 },
    count: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  },
} as const;

const challengeJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    statement: { type: 'string' },
    prize: { type: 'string', description: 'Empty when there is no prize.' },
    posed_by: { type: 'string', description: 'The slug of the city council or CSO posing the challenge.' },
    datasets: { type: 'array', items: { type: 'string' }, description: 'Names of the catalog datasets to use.' },
    teams: { type: 'integer' },
  },
} as const;
const submissionJson = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    challenge_id: { type: 'integer' },
    team: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    repository_url: { type: ['string', 'null'] },
    demo_url: { type: ['string', 'null'] },
    licence: { type: 'string', description: 'An SPDX licence identifier.' },
    datasets: { type: 'array', items: { type: 'string' } },
    votes: { type: 'integer', description: 'Valid people’s choice votes.' },
    updated_at: { type: 'string', format: 'date-time' },
  },
} as const;
const resultJson = {
  type: 'object',
  properties: {
    rank: { type: 'integer' },
    submission_id: { type: 'integer' },
    title: { type: 'string' },
    score: { type: 'number', description: 'Weighted mean of normalised scores, 1–5.' },
    raw_score: { type: 'number', description: 'Weighted mean of the scores as given (the first tie-break).' },
    judges: { type: 'integer' },
  },
} as const;

async function routes(app: FastifyInstance) {
  registerDatathonSections(app);
  const { db, clock } = app;
  // The people's vote shares the limits petition signatures have (config SIGN_RATE_LIMIT_*), in
  // the database so that every server counts the same hits.
  const voterAccounts = new WindowCounter('datathon-vote-account', HOUR, () => app.config.signRateLimitPerAccount);
  const voterAddresses = new WindowCounter('datathon-vote-address', HOUR, () => app.config.signRateLimitPerAddress);
  const teamActions = new WindowCounter('datathon-team', HOUR, 60);

  const rolesOf = (request: FastifyRequest, d: Datathon): HubRoles => ({
    organizer: canManageDatathon(request.user, d),
    judge: isJudge(request.user, d),
  });
  const errorText = (request: FastifyRequest, error: ValidationError) =>
    Object.values(fieldMessages(request.t, error)).join(' ');
  /** Runs a form's change; on a ValidationError shows the page again with the messages next to the fields. */
  const form = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: () => Promise<string>,
    again: (flash: Flash) => Promise<{ title: string; body: SafeHtml }>,
  ) => {
    try {
      return reply.redirect(await action(), 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = fieldMessages(request.t, error);
      const page = await again({
        errors,
        values: (request.body as Record<string, unknown>) ?? {},
        error: error.statusCode === 403 || error.statusCode === 409 ? errorText(request, error) : undefined,
      });
      return reply.page(page, error.statusCode);
    }
  };
  const done = (request: FastifyRequest<{ Querystring: { done?: string; count?: number } }>) => {
    const key = request.query.done;
    const known = [
      'challenge',
      'team',
      'invited',
      'requested',
      'left',
      'joined',
      'declined',
      'submitted',
      'voted',
      'already_voted',
      'scored',
      'screenshot',
      'settings',
      'judge',
      'judge_removed',
      'criterion',
      'criterion_removed',
      'invalidated',
    ];
    return key && known.includes(key)
      ? request.t(`datathons.done.${key}`, { count: request.query.count ?? 0 })
      : undefined;
  };

  // ---- Public pages ----

  app.get<{ Querystring: { offset: number } }>(
    '/datathons',
    { schema: { querystring: offsetQuery } },
    async (request, reply) => {
      const result = await listDatathons(db, PAGE, request.query.offset ?? 0);
      return reply.page({
        title: request.t('datathons.title'),
        nav: 'community',
        body: listPage(request.pageContext(), result, { limit: PAGE, offset: request.query.offset ?? 0 }),
      });
    },
  );

  const challengesView = async (request: FastifyRequest, d: Datathon, flash: Flash = {}) => ({
    title: d.title,
    nav: 'community' as const,
    body: challengesPage(request.pageContext(), d, await listChallenges(db, d.event_id), {
      roles: rolesOf(request, d),
      now: clock.now(),
      signedIn: request.user !== null,
      myTeam: request.user ? await teamOf(db, d.event_id, request.user.id) : undefined,
      ...flash,
    }),
  });

  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/datathons/:id',
    { schema: { params: idParams, querystring: offsetQuery } },
    async (request, reply) => {
      const { datathon, event } = await datathonOrEvent(db, request.params.id);
      if (!datathon)
        return reply.page({
          title: event.title,
          nav: 'community',
          body: notSetUpPage(request.pageContext(), event, canManageDatathon(request.user, event)),
        });
      return reply.page(await challengesView(request, datathon, { notice: done(request) }));
    },
  );

  app.get<{ Params: { id: number }; Querystring: { offset: number } }>(
    '/datathons/:id/teams',
    { schema: { params: idParams, querystring: offsetQuery } },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const offset = request.query.offset ?? 0;
      const total = (await db.one<{ n: number }>('SELECT count(*)::int AS n FROM datathon_teams WHERE event_id = $1', [
        d.event_id,
      ]))!.n;
      return reply.page({
        title: `${request.t('datathons.teams')}: ${d.title}`,
        nav: 'community',
        body: teamsPage(request.pageContext(), d, await listTeams(db, d.event_id, PAGE, offset), total, {
          roles: rolesOf(request, d),
          now: clock.now(),
          offset,
          limit: PAGE,
        }),
      });
    },
  );

  app.get<{ Params: { id: number }; Querystring: { offset: number } }>(
    '/datathons/:id/submissions',
    { schema: { params: idParams, querystring: offsetQuery } },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const offset = request.query.offset ?? 0;
      const now = clock.now();
      const roles = rolesOf(request, d);
      // Before the deadline the list is the organisers' and judges' (each team sees its own on its page).
      const visible = now >= d.submission_deadline || roles.organizer || roles.judge;
      return reply.page({
        title: `${request.t('datathons.submissions')}: ${d.title}`,
        nav: 'community',
        body: submissionsPage(
          request.pageContext(),
          d,
          visible ? await listSubmissions(db, d.event_id, PAGE, offset) : [],
          await countSubmissions(db, d.event_id),
          { roles, now, visible, offset, limit: PAGE },
        ),
      });
    },
  );

  const resultsView = async (request: FastifyRequest, d: Datathon) => {
    const roles = rolesOf(request, d);
    const showResults = d.results_published_at !== null || roles.organizer;
    const submissions = await listSubmissions(db, d.event_id);
    const now = clock.now();
    return {
      title: `${request.t('datathons.tab_results')}: ${d.title}`,
      nav: 'community' as const,
      body: resultsPage(request.pageContext(), d, {
        roles,
        now,
        results: showResults ? await datathonResults(db, d) : null,
        submissions: new Map(submissions.map((s) => [s.id, s])),
        votes: now >= d.submission_deadline ? await voteCounts(db, d.event_id) : [],
        scoresheet: canSeeScoresheet(request.user, d) ? await listScores(db, d.event_id) : null,
      }),
    };
  };

  app.get<{ Params: { id: number } }>(
    '/datathons/:id/results',
    { schema: { params: idParams } },
    async (request, reply) => reply.page(await resultsView(request, await getDatathon(db, request.params.id))),
  );

  // ---- Challenges (organisers) ----

  const organizations = () =>
    db.query<{ slug: string; name_uk: string; name_en: string; name_bg: string }>(
      `SELECT slug, name_uk, name_en, name_bg FROM organizations WHERE kind IN ('city_council', 'cso') ORDER BY kind, name_uk`,
    );
  const managed = async (request: FastifyRequest<{ Params: { id: number } }>) => {
    const d = await getDatathon(db, request.params.id);
    if (!canManageDatathon(request.user, d))
      throw new ForbiddenError('only the organisers of this datathon may do this');
    return d;
  };
  const challengeView = async (request: FastifyRequest, d: Datathon, id: number | null, flash: Flash) => ({
    title: request.t(id ? 'datathons.edit_challenge' : 'datathons.new_challenge'),
    nav: 'community' as const,
    body: challengeForm(request.pageContext(), d, { id, organizations: await organizations(), ...flash }),
  });

  app.get<{ Params: { id: number } }>(
    '/datathons/:id/challenges/new',
    { schema: { params: idParams }, preHandler: allow(signedIn) },
    async (request, reply) => reply.page(await challengeView(request, await managed(request), null, {})),
  );
  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/datathons/:id/challenges/new',
    { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const d = await managed(request);
      return form(
        request,
        reply,
        async () => {
          await saveChallenge(db, actorOf(request), request.user, d, null, await parseChallenge(db, request.body));
          return `/datathons/${d.event_id}?done=challenge`;
        },
        (flash) => challengeView(request, d, null, flash),
      );
    },
  );
  app.get<{ Params: { id: number; cid: number } }>(
    '/datathons/:id/challenges/:cid/edit',
    { schema: { params: params('id', 'cid') }, preHandler: allow(signedIn) },
    async (request, reply) => {
      const d = await managed(request);
      const c = await getChallenge(db, d.event_id, request.params.cid);
      return reply.page(
        await challengeView(request, d, c.id, {
          values: { ...c, organization: c.organization_slug, datasets: c.datasets.map((ds) => ds.name).join('\n') },
        }),
      );
    },
  );
  app.post<{ Params: { id: number; cid: number }; Body: Record<string, unknown> }>(
    '/datathons/:id/challenges/:cid/edit',
    { schema: { params: params('id', 'cid') }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const d = await managed(request);
      const c = await getChallenge(db, d.event_id, request.params.cid);
      return form(
        request,
        reply,
        async () => {
          await saveChallenge(db, actorOf(request), request.user, d, c.id, await parseChallenge(db, request.body));
          return `/datathons/${d.event_id}?done=challenge`;
        },
        (flash) => challengeView(request, d, c.id, flash),
      );
    },
  );

  // ---- Teams ----

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/datathons/:id/teams',
    { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(30) },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      await teamActions.hit(request, `user:${request.user!.id}`);
      return form(
        request,
        reply,
        async () => {
          const id = await createTeam(db, actorOf(request), request.user!, d, request.body, clock.now());
          return `/datathons/${d.event_id}/teams/${id}?done=team`;
        },
        (flash) => challengesView(request, d, flash),
      );
    },
  );

  const teamView = async (request: FastifyRequest, d: Datathon, teamId: number, flash: Flash = {}) => {
    const team = await getTeam(db, d.event_id, teamId);
    const member = isTeamMember(
      request.user,
      team.members.map((m) => m.user_id),
    );
    return {
      title: `${request.t('datathons.team')}: ${team.name}`,
      nav: 'community' as const,
      body: teamPage(request.pageContext(), d, team, {
        roles: rolesOf(request, d),
        now: clock.now(),
        member,
        signedIn: request.user !== null,
        hasTeam: request.user ? (await teamOf(db, d.event_id, request.user.id)) !== undefined : false,
        requests: member ? await pendingRequests(db, team.id) : [],
        submission:
          team.submission_id &&
          canSeeSubmission(
            request.user,
            d,
            team.members.map((m) => m.user_id),
            clock.now(),
          )
            ? await getSubmission(db, d.event_id, team.submission_id)
            : undefined,
        ...flash,
      }),
    };
  };

  app.get<{ Params: { id: number; tid: number }; Querystring: { done?: string } }>(
    '/datathons/:id/teams/:tid',
    { schema: { params: params('id', 'tid'), querystring: offsetQuery } },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      return reply.page(await teamView(request, d, request.params.tid, { notice: done(request) }));
    },
  );

  type TeamRoute = { Params: { id: number; tid: number }; Body: Record<string, unknown> };
  type TeamRequest = FastifyRequest<TeamRoute>;
  const teamRoute = { schema: { params: params('id', 'tid') }, preHandler: allow(signedIn), config: formRateLimit(60) };
  const teamForm =
    (action: (request: TeamRequest, d: Datathon) => Promise<string>) =>
    async (request: TeamRequest, reply: FastifyReply) => {
      const d = await getDatathon(db, request.params.id);
      await teamActions.hit(request, `user:${request.user!.id}`);
      return form(
        request,
        reply,
        () => action(request, d),
        (flash) => teamView(request, d, request.params.tid, flash),
      );
    };

  app.post<TeamRoute>(
    '/datathons/:id/teams/:tid/invite',
    teamRoute,
    teamForm(async (request, d) => {
      const team = await getTeam(db, d.event_id, request.params.tid);
      await inviteToTeam(db, app.config, actorOf(request), request.user!, d, team, request.body, clock.now());
      return `/datathons/${d.event_id}/teams/${team.id}?done=invited`;
    }),
  );
  app.post<TeamRoute>(
    '/datathons/:id/teams/:tid/join',
    teamRoute,
    teamForm(async (request, d) => {
      const team = await getTeam(db, d.event_id, request.params.tid);
      await requestToJoin(db, actorOf(request), request.user!, d, team, clock.now());
      return `/datathons/${d.event_id}/teams/${team.id}?done=requested`;
    }),
  );
  app.post<TeamRoute>(
    '/datathons/:id/teams/:tid/leave',
    teamRoute,
    teamForm(async (request, d) => {
      const team = await getTeam(db, d.event_id, request.params.tid);
      await leaveTeam(db, actorOf(request), request.user!, d, team, clock.now());
      return `/datathons/${d.event_id}?done=left`;
    }),
  );
  app.post<TeamRoute>(
    '/datathons/:id/teams/:tid/submission',
    teamRoute,
    teamForm(async (request, d) => {
      const team = await getTeam(db, d.event_id, request.params.tid);
      const input = await parseSubmission(db, request.body);
      const id = await saveSubmission(db, actorOf(request), request.user!, d, team, input, clock.now());
      return `/datathons/${d.event_id}/submissions/${id}?done=submitted`;
    }),
  );

  app.post<{ Params: { id: number; rid: number; answer: string } }>(
    '/datathons/:id/requests/:rid/:answer',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'rid', 'answer'],
          properties: { id: int, rid: int, answer: { type: 'string', enum: ['accept', 'decline'] } },
        },
      },
      preHandler: allow(signedIn),
      config: formRateLimit(60),
    },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      try {
        const teamId = await decideRequest(
          db,
          actorOf(request),
          request.user!,
          d,
          request.params.rid,
          request.params.answer === 'accept',
          clock.now(),
        );
        return reply.redirect(
          `/datathons/${d.event_id}/teams/${teamId}?done=${request.params.answer === 'accept' ? 'joined' : 'declined'}`,
          303,
        );
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page(await challengesView(request, d, { error: errorText(request, error) }), error.statusCode);
      }
    },
  );

  // ---- Submissions ----

  const visibleSubmission = async (request: FastifyRequest<{ Params: { id: number; sid: number } }>) => {
    const d = await getDatathon(db, request.params.id);
    const s = await getSubmission(db, d.event_id, request.params.sid);
    if (!canSeeSubmission(request.user, d, s.member_ids, clock.now())) throw new NotFoundError(`submission ${s.id}`);
    return { d, s };
  };
  const submissionView = async (request: FastifyRequest, d: Datathon, s: Submission, flash: Flash = {}) => {
    const now = clock.now();
    const judge = isJudge(request.user, d);
    const conflict = judge ? await sharedOrganization(db, request.user!.id, s.team_id) : undefined;
    return {
      title: s.title,
      nav: 'community' as const,
      body: submissionPage(request.pageContext(), d, s, {
        roles: rolesOf(request, d),
        now,
        member: isTeamMember(request.user, s.member_ids),
        votingOpen: votingOpen(d, now),
        myVote: request.user ? await voteOf(db, d.event_id, request.user.id) : undefined,
        signedIn: request.user !== null,
        myScores: judge
          ? (await listScores(db, d.event_id, request.user!.id)).filter((x) => x.submission_id === s.id)
          : [],
        conflict: conflict ? localName(conflict, request.locale) : null,
        ...flash,
      }),
    };
  };

  const sidParams = params('id', 'sid');
  app.get<{ Params: { id: number; sid: number }; Querystring: { done?: string } }>(
    '/datathons/:id/submissions/:sid',
    { schema: { params: sidParams, querystring: offsetQuery } },
    async (request, reply) => {
      const { d, s } = await visibleSubmission(request);
      return reply.page(await submissionView(request, d, s, { notice: done(request) }));
    },
  );

  app.post<{ Params: { id: number; sid: number }; Body: Record<string, unknown> }>(
    '/datathons/:id/submissions/:sid/vote',
    { schema: { params: sidParams }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const { d, s } = await visibleSubmission(request);
      const user = request.user!;
      await voterAccounts.hit(request, `account:${user.id}`);
      await voterAddresses.hit(request, `address:${request.ip}`);
      return form(
        request,
        reply,
        async () => {
          const { voted } = await castVote(db, user, d, s, request.ip, clock.now());
          return `/datathons/${d.event_id}/submissions/${s.id}?done=${voted ? 'voted' : 'already_voted'}`;
        },
        (flash) => submissionView(request, d, s, flash),
      );
    },
  );

  app.post<{ Params: { id: number; sid: number }; Body: Record<string, unknown> }>(
    '/datathons/:id/submissions/:sid/score',
    { schema: { params: sidParams }, preHandler: allow(signedIn), config: formRateLimit(120) },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      if (!isJudge(request.user, d)) throw new ForbiddenError('only this datathon’s judges may score');
      const s = await getSubmission(db, d.event_id, request.params.sid);
      return form(
        request,
        reply,
        async () => {
          await scoreSubmission(
            db,
            actorOf(request),
            request.user!,
            d,
            s,
            parseScores(request.body, d.criteria),
            clock.now(),
            request.locale,
          );
          return `/datathons/${d.event_id}/judging?done=scored`;
        },
        (flash) => submissionView(request, d, s, flash),
      );
    },
  );

  // Screenshots: images only, their type read from their first bytes, not their name.
  app.post<{ Params: { id: number; sid: number } }>(
    '/datathons/:id/submissions/:sid/screenshots',
    {
      schema: { params: sidParams },
      preHandler: allow(signedIn),
      config: { csrf: 'multipart' as const, ...uploadRateLimit(() => app.config.uploadRateLimitPerHour) },
    },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const s = await getSubmission(db, d.event_id, request.params.sid);
      const fail = async (field: string, message: string, status: number, params?: Record<string, number>) =>
        reply.page(await submissionView(request, d, s, { errors: { [field]: request.t(message, params) } }), status);
      try {
        assertEditable(request.user!, d, s, clock.now());
      } catch (error) {
        if (error instanceof ValidationError) return fail('file', 'datathons.error.deadline_passed', 409);
        throw error;
      }
      let upload: ReceivedUpload;
      try {
        upload = await receiveUpload(
          request as never,
          app.files,
          MAX_SCREENSHOT_BYTES,
          csrfBeforeFile(app, request, reply),
        );
      } catch (error) {
        if (error instanceof FileTooLargeError) return fail('file', 'datathons.error.file_too_large', 413, { mb: 5 });
        throw error;
      }
      const stored = upload.stored;
      if (!stored) return fail('file', 'datathons.error.no_file', 422);
      const type = await sniffFileType(app.files, stored.file.key);
      const caption = (upload.fields.caption ?? '').trim();
      const problem =
        !type || type === 'pdf'
          ? ['file', 'datathons.error.image_type']
          : !caption
            ? ['caption', 'validation.required']
            : caption.length > 300
              ? ['caption', 'validation.too_long']
              : null;
      if (problem) {
        await app.files.remove(stored.file.key);
        return fail(problem[0]!, problem[1]!, 422, { max: 300 });
      }
      try {
        await addScreenshot(
          db,
          actorOf(request),
          s,
          { key: stored.file.key, mime_type: MIME_TYPES[type!], size: stored.file.size, caption },
          clock.now(),
        );
      } catch (error) {
        await app.files.remove(stored.file.key);
        if (error instanceof ValidationError)
          return fail('file', 'datathons.error.screenshot_refused', 409, { max: 8 });
        throw error;
      }
      return reply.redirect(`/datathons/${d.event_id}/submissions/${s.id}?done=screenshot`, 303);
    },
  );

  app.post<{ Params: { id: number; sid: number; fid: number } }>(
    '/datathons/:id/submissions/:sid/screenshots/:fid/delete',
    { schema: { params: params('id', 'sid', 'fid') }, preHandler: allow(signedIn), config: formRateLimit(60) },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const s = await getSubmission(db, d.event_id, request.params.sid);
      try {
        assertEditable(request.user!, d, s, clock.now());
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.page(await submissionView(request, d, s, { error: errorText(request, error) }), error.statusCode);
      }
      const key = await removeScreenshot(db, actorOf(request), s, request.params.fid, clock.now());
      if (key) await app.files.remove(key);
      return reply.redirect(`/datathons/${d.event_id}/submissions/${s.id}`, 303);
    },
  );

  app.get<{ Params: { id: number; sid: number; fid: number } }>(
    '/datathons/:id/submissions/:sid/screenshots/:fid',
    { schema: { params: params('id', 'sid', 'fid') } },
    async (request, reply) => {
      await visibleSubmission(request);
      const shot = await db.one<{ file_key: string; mime_type: string }>(
        'SELECT file_key, mime_type FROM datathon_screenshots WHERE id = $1 AND submission_id = $2',
        [request.params.fid, request.params.sid],
      );
      if (!shot) return reply.callNotFound();
      reply.type(shot.mime_type).header('cache-control', 'private, max-age=300');
      return sendStoredFile(request, reply, app.files, shot.file_key);
    },
  );

  // ---- The jury ----

  app.get<{ Params: { id: number } }>(
    '/datathons/:id/judging',
    { schema: { params: idParams }, preHandler: allow(signedIn) },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      if (!isJudge(request.user, d)) throw new ForbiddenError('only this datathon’s judges');
      const submissions = await listSubmissions(db, d.event_id);
      const mine = await listScores(db, d.event_id, request.user!.id);
      const conflicts = new Map<number, string>();
      for (const s of submissions) {
        const shared = await sharedOrganization(db, request.user!.id, s.team_id);
        if (shared) conflicts.set(s.id, shared.name_uk);
      }
      return reply.page({
        title: `${request.t('datathons.tab_judging')}: ${d.title}`,
        nav: 'community',
        body: judgingPage(request.pageContext(), d, {
          roles: rolesOf(request, d),
          now: clock.now(),
          submissions,
          scored: new Set(mine.map((m) => m.submission_id)),
          conflicts,
        }),
      });
    },
  );

  // ---- The organisers' page ----

  const manageView = async (request: FastifyRequest, eventId: number, flash: Flash = {}) => {
    const { datathon, event } = await datathonOrEvent(db, eventId);
    if (!canManageDatathon(request.user, event)) throw new ForbiddenError('only the organisers of this datathon');
    return {
      title: request.t('datathons.tab_manage'),
      nav: 'community' as const,
      body: managePage(request.pageContext(), datathon, event, {
        roles: { organizer: true, judge: datathon ? isJudge(request.user, datathon) : false },
        now: clock.now(),
        judges: await listJudges(db, eventId),
        conflicts: await listConflicts(db, eventId),
        invalidations: datathon ? await listInvalidations(db, eventId) : [],
        ...flash,
      }),
    };
  };

  app.get<{ Params: { id: number }; Querystring: { done?: string } }>(
    '/datathons/:id/manage',
    { schema: { params: idParams, querystring: offsetQuery }, preHandler: allow(signedIn) },
    async (request, reply) => reply.page(await manageView(request, request.params.id, { notice: done(request) })),
  );

  type ManageRoute = { Params: { id: number }; Body: Record<string, unknown> };
  type ManageRequest = FastifyRequest<ManageRoute>;
  const manageRoute = { schema: { params: idParams }, preHandler: allow(signedIn), config: formRateLimit(120) };
  const manageForm =
    (action: (request: ManageRequest) => Promise<string>) => async (request: ManageRequest, reply: FastifyReply) =>
      form(
        request,
        reply,
        () => action(request),
        (flash) => manageView(request, request.params.id, flash),
      );

  app.post<ManageRoute>(
    '/datathons/:id/settings',
    manageRoute,
    manageForm(async (request) => {
      const { event } = await datathonOrEvent(db, request.params.id);
      await saveSettings(db, actorOf(request), request.user, event, parseSettings(request.body, event.time_zone));
      return `/datathons/${event.id}/manage?done=settings`;
    }),
  );
  app.post<ManageRoute>(
    '/datathons/:id/judges',
    manageRoute,
    manageForm(async (request) => {
      const d = await managed(request);
      await addJudge(db, actorOf(request), request.user, d, request.body);
      return `/datathons/${d.event_id}/manage?done=judge`;
    }),
  );
  app.post<{ Params: { id: number; uid: number } }>(
    '/datathons/:id/judges/:uid/remove',
    { ...manageRoute, schema: { params: params('id', 'uid') } },
    async (request, reply) =>
      form(
        request,
        reply,
        async () => {
          const d = await managed(request);
          await removeJudge(db, actorOf(request), request.user, d, request.params.uid);
          return `/datathons/${d.event_id}/manage?done=judge_removed`;
        },
        (flash) => manageView(request, request.params.id, flash),
      ),
  );
  app.post<ManageRoute>(
    '/datathons/:id/criteria',
    manageRoute,
    manageForm(async (request) => {
      const d = await managed(request);
      await addCriterion(db, actorOf(request), request.user, d, request.body);
      return `/datathons/${d.event_id}/manage?done=criterion`;
    }),
  );
  app.post<{ Params: { id: number; cid: number } }>(
    '/datathons/:id/criteria/:cid/remove',
    { ...manageRoute, schema: { params: params('id', 'cid') } },
    async (request, reply) =>
      form(
        request,
        reply,
        async () => {
          const d = await managed(request);
          await removeCriterion(db, actorOf(request), request.user, d, request.params.cid);
          return `/datathons/${d.event_id}/manage?done=criterion_removed`;
        },
        (flash) => manageView(request, request.params.id, flash),
      ),
  );
  app.post<ManageRoute>(
    '/datathons/:id/publish',
    manageRoute,
    manageForm(async (request) => {
      const d = await managed(request);
      await publishResults(db, actorOf(request), request.user, d, clock.now());
      return `/datathons/${d.event_id}/results`;
    }),
  );
  app.post<ManageRoute>(
    '/datathons/:id/invalidate',
    manageRoute,
    manageForm(async (request) => {
      const d = await managed(request);
      const count = await invalidateVotes(
        db,
        actorOf(request),
        request.user,
        d,
        parseInvalidation(request.body),
        clock.now(),
      );
      return `/datathons/${d.event_id}/manage?done=invalidated&count=${count}`;
    }),
  );

  // ---- Open data: CSV exports (the dataset's resources) and /api/v1 ----

  const sendCsv = (reply: FastifyReply, name: string, header: string[], rows: unknown[][]) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .send([csvLine(header), ...rows.map((r) => csvLine(r as never))].join('')); // each line ends in CRLF

  const publicSubmissions = async (d: Datathon) =>
    clock.now() >= d.submission_deadline ? listSubmissions(db, d.event_id, 100_000, 0) : [];
  const publicResults = async (d: Datathon) => {
    if (!d.results_published_at) return null;
    const titles = new Map((await listSubmissions(db, d.event_id, 100_000, 0)).map((s) => [s.id, s.title]));
    return (await datathonResults(db, d)).map((r) => ({ ...r, title: titles.get(r.submission_id) ?? '' }));
  };

  app.get<{ Params: { id: number } }>(
    '/datathons/:id/challenges.csv',
    { schema: { params: idParams } },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const rows = (await listChallenges(db, d.event_id)).map((c) => [
        c.id,
        c.title,
        c.organization_slug,
        c.prize,
        c.datasets.map((ds) => ds.name).join(' '),
        c.team_count,
        c.statement,
      ]);
      return sendCsv(
        reply,
        `datathon-${d.event_id}-challenges`,
        ['id', 'title', 'posed_by', 'prize', 'datasets', 'teams', 'statement'],
        rows,
      );
    },
  );
  app.get<{ Params: { id: number } }>(
    '/datathons/:id/submissions.csv',
    { schema: { params: idParams } },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const rows = (await publicSubmissions(d)).map((s) => [
        s.id,
        s.challenge_id,
        s.team_name,
        s.title,
        s.repository_url ?? '',
        s.demo_url ?? '',
        s.licence,
        s.datasets.map((ds) => ds.name).join(' '),
        s.votes,
        s.description,
      ]);
      return sendCsv(
        reply,
        `datathon-${d.event_id}-submissions`,
        [
          'id',
          'challenge_id',
          'team',
          'title',
          'repository_url',
          'demo_url',
          'licence',
          'datasets',
          'votes',
          'description',
        ],
        rows,
      );
    },
  );
  app.get<{ Params: { id: number } }>(
    '/datathons/:id/results.csv',
    { schema: { params: idParams } },
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const rows = ((await publicResults(d)) ?? []).map((r) => [
        r.rank,
        r.submission_id,
        r.title,
        r.score.toFixed(4),
        r.raw_score.toFixed(4),
        r.judges,
      ]);
      return sendCsv(
        reply,
        `datathon-${d.event_id}-results`,
        ['rank', 'submission_id', 'title', 'score', 'raw_score', 'judges'],
        rows,
      );
    },
  );

  const apiDatathon = {
    type: 'object',
    properties: {
      id: { type: 'integer', description: 'The community event’s id.' },
      title: { type: 'string' },
      team_min: { type: 'integer' },
      team_max: { type: 'integer' },
      submission_deadline: { type: 'string', format: 'date-time' },
      voting_closes_at: { type: 'string', format: 'date-time' },
      results_published: { type: 'boolean' },
      criteria: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer' } } },
      },
    },
  } as const;
  const presentDatathon = (d: Datathon) => ({
    id: d.event_id,
    title: d.title,
    team_min: d.team_min,
    team_max: d.team_max,
    submission_deadline: d.submission_deadline.toISOString(),
    voting_closes_at: d.voting_closes_at.toISOString(),
    results_published: d.results_published_at !== null,
    criteria: d.criteria.map((c) => ({ name: c.name, weight: c.weight })),
  });
  /** An operation of the API; `errors` are the statuses beyond the common ones it may answer. */
  const api = (operationId: string, summary: string, response: object, extra: object = {}, errors: number[] = []) => ({
    config: apiRateLimit(app),
    schema: {
      tags: ['community'],
      operationId,
      summary,
      response: {
        200: response,
        ...Object.fromEntries(errors.map((status) => [status, problemSchema])),
        ...errorResponses,
      },
      ...extra,
    },
  });

  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/api/v1/datathons',
    api('listDatathons', 'Datathons: their team sizes, deadlines and judging criteria', pageOf(apiDatathon), {
      querystring: { type: 'object', properties: paginationQuery, additionalProperties: false },
    }),
    async (request) => {
      const { limit, offset } = request.query;
      const result = await listDatathons(db, limit, offset);
      return { items: result.items.map(presentDatathon), total: result.total, limit, offset };
    },
  );
  app.get<{ Params: { id: number } }>(
    '/api/v1/datathons/:id/challenges',
    api(
      'listDatathonChallenges',
      'A datathon’s challenges with the datasets to use',
      { type: 'array', items: challengeJson },
      { params: idParams },
      [404],
    ),
    async (request) => {
      const d = await getDatathon(db, request.params.id);
      return (await listChallenges(db, d.event_id)).map((c) => ({
        id: c.id,
        title: c.title,
        statement: c.statement,
        prize: c.prize,
        posed_by: c.organization_slug,
        datasets: c.datasets.map((ds) => ds.name),
        teams: c.team_count,
      }));
    },
  );
  app.get<{ Params: { id: number } }>(
    '/api/v1/datathons/:id/submissions',
    api(
      'listDatathonSubmissions',
      'A datathon’s submissions, public from the submission deadline on (before it, an empty list)',
      { type: 'array', items: submissionJson },
      { params: idParams },
      [404],
    ),
    async (request) => {
      const d = await getDatathon(db, request.params.id);
      return (await publicSubmissions(d)).map((s) => ({
        id: s.id,
        challenge_id: s.challenge_id,
        team: s.team_name,
        title: s.title,
        description: s.description,
        repository_url: s.repository_url,
        demo_url: s.demo_url,
        licence: s.licence,
        datasets: s.datasets.map((ds) => ds.name),
        votes: s.votes,
        updated_at: s.updated_at.toISOString(),
      }));
    },
  );
  app.get<{ Params: { id: number } }>(
    '/api/v1/datathons/:id/results',
    api(
      'getDatathonResults',
      'The jury’s ranking (normalised weighted means; 409 until the organisers publish it) and the people’s choice',
      {
        type: 'object',
        properties: {
          published_at: { type: 'string', format: 'date-time' },
          jury: { type: 'array', items: resultJson },
          peoples_choice: {
            type: 'array',
            items: { type: 'object', properties: { submission_id: { type: 'integer' }, votes: { type: 'integer' } } },
          },
        },
      },
      { params: idParams },
      [404, 409],
    ),
    async (request, reply) => {
      const d = await getDatathon(db, request.params.id);
      const results = await publicResults(d);
      if (!results) return reply.problem(409, 'Not published', 'The organisers have not published the results yet.');
      return {
        published_at: d.results_published_at!.toISOString(),
        jury: results,
        peoples_choice: await voteCounts(db, d.event_id),
      };
    },
  );
}

export const datathonsModule = fp(routes, { name: 'datathons', dependencies: ['community'] });
