// Accounts: registration, e-mail confirmation, login/logout, password reset, the account page
// with personal API tokens, and GET /api/v1/me.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allow, MAX_RETURN_PATH, signedIn } from '../../platform/http/guards.ts';
import { fieldMessages } from '../../platform/http/forms.ts';
import { accountFormRateLimit, apiRateLimit, formRateLimit } from '../../platform/http/rate-limits.ts';
import { ValidationError } from '../../platform/errors.ts';
import { Checker } from '../../platform/validate.ts';
import { recordAudit } from '../../platform/audit.ts';
import { problemSchema } from '../../platform/http/schemas.ts';
import { localPath } from '../../platform/http/redirects.ts';
import {
  SESSION_COOKIE,
  SESSION_DAYS,
  createApiToken,
  createSession,
  endSession,
  listApiTokens,
  revokeAllApiTokens,
  revokeApiToken,
} from '../../platform/auth.ts';
import {
  authenticate,
  changePassword,
  confirmEmail,
  isResetTokenValid,
  parseNewPassword,
  parseRegistration,
  registerUser,
  requestPasswordReset,
  resendConfirmation,
  resetPassword,
  PRIVACY_NOTICE_VERSION,
} from './service.ts';
import { accountPage, confirmPage, forgotPage, loginPage, privacyPage, registerPage, resetPage } from './views.ts';
import { listCities, localName } from '../cities/service.ts';

type Body = Record<string, unknown>;

const tokenQuery = { type: 'object', properties: { token: { type: 'string', maxLength: 200 } } } as const;

async function routes(app: FastifyInstance) {
  const { db } = app;
  const secure = app.config.publicUrl.startsWith('https://');

  async function startSession(reply: FastifyReply, userId: number) {
    const secret = await createSession(db, userId);
    reply.setCookie(SESSION_COOKIE, secret, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      maxAge: SESSION_DAYS * 24 * 3600,
    });
  }

  const render = (reply: FastifyReply, title: string, body: ReturnType<typeof registerPage>, status = 200) =>
    reply.page({ title, body, nav: 'account' }, status);

  const cityChoices = async (request: FastifyRequest) =>
    (await listCities(db, { locale: request.locale, limit: 1000, offset: 0 })).items.map((c) => ({
      value: c.slug,
      label: localName(c, request.locale),
    }));

  app.get('/register', async (request, reply) =>
    render(
      reply,
      request.t('accounts.register_title'),
      registerPage(request.pageContext(), {}, undefined, await cityChoices(request)),
    ),
  );

  // What the platform does with personal data, which registration asks consent to.
  app.get('/privacy', async (request, reply) =>
    reply.page({ title: request.t('privacy.title'), body: privacyPage(request.pageContext(), PRIVACY_NOTICE_VERSION) }),
  );

  app.post<{ Body: Body }>('/register', { config: formRateLimit(10) }, async (request, reply) => {
    try {
      const registration = parseRegistration(request.body, request.locale);
      const user = await db.transaction((tx) => registerUser(tx, registration, app.config.publicUrl, request.ip));
      await startSession(reply, user.id);
      return reply.redirect('/account?registered=1', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return render(
        reply,
        request.t('accounts.register_title'),
        registerPage(
          request.pageContext(),
          request.body ?? {},
          fieldMessages(request.t, error),
          await cityChoices(request),
        ),
        error.statusCode,
      );
    }
  });

  app.get<{ Querystring: { next?: string; reset?: string } }>(
    '/login',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { next: { type: 'string', maxLength: MAX_RETURN_PATH }, reset: { type: 'string' } },
        },
      },
    },
    async (request, reply) =>
      render(
        reply,
        request.t('accounts.login_title'),
        loginPage(
          request.pageContext(),
          // Only a path on this site is carried to the form; anything else is dropped.
          { next: localPath(request.query.next, '') },
          undefined,
          request.query.reset ? request.t('accounts.password_changed') : undefined,
        ),
      ),
  );

  app.post<{ Body: Body }>('/login', accountFormRateLimit(10, 100), async (request, reply) => {
    const check = new Checker(request.body);
    const email = check.text('email', { required: true, max: 254 });
    const password = typeof request.body?.password === 'string' ? request.body.password : '';
    if (!password) check.fail('password', 'validation.required');
    const userId = check.problems.length ? null : await authenticate(db, email, password);
    if (userId === null) {
      const errors = check.problems.length
        ? fieldMessages(request.t, new ValidationError(check.problems))
        : { _form: request.t('accounts.login_failed') };
      await recordAudit(
        db,
        { userId: null, label: email.slice(0, 254) || 'anonymous', ip: request.ip },
        'user.login_failed',
        'user',
        null,
        null,
        null,
      );
      return render(
        reply,
        request.t('accounts.login_title'),
        loginPage(request.pageContext(), { ...request.body, next: localPath(request.body?.next, '') }, errors),
        401,
      );
    }
    await startSession(reply, userId);
    // Each person starts from what they have to do (their dashboard), unless they came from somewhere.
    return reply.redirect(localPath(request.body?.next, '/dashboard'), 303);
  });

  app.post('/logout', async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE];
    if (secret) await endSession(db, secret);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/', 303);
  });

  app.get<{ Querystring: { token?: string } }>(
    '/confirm',
    { schema: { querystring: tokenQuery } },
    async (request, reply) =>
      render(
        reply,
        request.t('accounts.confirm_title'),
        confirmPage(request.pageContext(), request.query.token ?? '', request.query.token ? null : false),
      ),
  );

  // Confirming takes a POST, so that mail scanners that open links do not use the link up.
  app.post<{ Body: Body }>('/confirm', { config: formRateLimit(30) }, async (request, reply) => {
    const token = typeof request.body?.token === 'string' ? request.body.token : '';
    const userId = token ? await db.transaction((tx) => confirmEmail(tx, token)) : null;
    return render(
      reply,
      request.t('accounts.confirm_title'),
      confirmPage(request.pageContext(), token, userId !== null),
      userId ? 200 : 400,
    );
  });

  app.get('/forgot', async (request, reply) =>
    render(reply, request.t('accounts.forgot_title'), forgotPage(request.pageContext(), {}, undefined, false)),
  );

  app.post<{ Body: Body }>('/forgot', accountFormRateLimit(5, 30), async (request, reply) => {
    const check = new Checker(request.body);
    const email = check.email('email');
    if (check.problems.length) {
      return render(
        reply,
        request.t('accounts.forgot_title'),
        forgotPage(
          request.pageContext(),
          request.body ?? {},
          fieldMessages(request.t, new ValidationError(check.problems)),
          false,
        ),
        422,
      );
    }
    await db.transaction((tx) => requestPasswordReset(tx, email, app.config.publicUrl));
    return render(reply, request.t('accounts.forgot_title'), forgotPage(request.pageContext(), {}, undefined, true));
  });

  app.get<{ Querystring: { token?: string } }>(
    '/reset',
    { schema: { querystring: tokenQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      const valid = token ? await isResetTokenValid(db, token) : false;
      return render(
        reply,
        request.t('accounts.reset_title'),
        resetPage(request.pageContext(), token, undefined, valid),
        valid ? 200 : 400,
      );
    },
  );

  app.post<{ Body: Body }>('/reset', { config: formRateLimit(10) }, async (request, reply) => {
    const token = typeof request.body?.token === 'string' ? request.body.token : '';
    try {
      const password = parseNewPassword(request.body);
      const userId = await db.transaction((tx) => resetPassword(tx, token, password, request.ip));
      if (userId === null)
        return render(
          reply,
          request.t('accounts.reset_title'),
          resetPage(request.pageContext(), token, undefined, false),
          400,
        );
      return reply.redirect('/login?reset=1', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return render(
        reply,
        request.t('accounts.reset_title'),
        resetPage(request.pageContext(), token, fieldMessages(request.t, error), true),
        422,
      );
    }
  });

  // ---- The account page and API tokens ----
  const account = { preHandler: allow(signedIn) };
  const roleNames = (request: FastifyRequest) =>
    (request.user?.memberships ?? []).map((m) => request.t(`roles.${m.role}`));

  app.get<{
    Querystring: { registered?: string; revoked?: string; revoked_all?: string; resent?: string; password?: string };
  }>('/account', account, async (request, reply) => {
    const tokens = await listApiTokens(db, request.user!.id);
    const q = request.query;
    const notice = q.registered
      ? request.t('accounts.registered')
      : q.revoked_all
        ? request.t('accounts.tokens_all_revoked')
        : q.revoked
          ? request.t('accounts.token_revoked')
          : q.resent
            ? request.t('accounts.resent')
            : q.password
              ? request.t('accounts.password_updated')
              : undefined;
    return render(
      reply,
      request.t('accounts.account_title'),
      accountPage(request.pageContext(), tokens, { notice, roles: roleNames(request) }),
    );
  });

  app.post<{ Body: Body }>('/account/tokens', { ...account, config: formRateLimit(30) }, async (request, reply) => {
    const check = new Checker(request.body);
    const name = check.text('name', { required: true, max: 100 });
    if (check.problems.length) {
      const tokens = await listApiTokens(db, request.user!.id);
      return render(
        reply,
        request.t('accounts.account_title'),
        accountPage(request.pageContext(), tokens, {
          errors: fieldMessages(request.t, new ValidationError(check.problems)),
          roles: roleNames(request),
        }),
        422,
      );
    }
    const created = await db.transaction(async (tx) => {
      const result = await createApiToken(tx, request.user!.id, name);
      await recordAudit(
        tx,
        { userId: request.user!.id, label: request.user!.email, ip: request.ip },
        'api_token.create',
        'api_token',
        result.id,
        null,
        { name },
      );
      return result;
    });
    const tokens = await listApiTokens(db, request.user!.id);
    // Shown once, in this response only; never put in a URL or stored in clear.
    return render(
      reply,
      request.t('accounts.account_title'),
      accountPage(request.pageContext(), tokens, { newToken: created.token, roles: roleNames(request) }),
      201,
    );
  });

  app.post<{ Params: { id: string } }>(
    '/account/tokens/:id/revoke',
    {
      ...account,
      schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } } } },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      await db.transaction(async (tx) => {
        if (await revokeApiToken(tx, request.user!.id, id)) {
          await recordAudit(
            tx,
            { userId: request.user!.id, label: request.user!.email, ip: request.ip },
            'api_token.revoke',
            'api_token',
            id,
            null,
            null,
          );
        }
      });
      return reply.redirect('/account?revoked=1', 303);
    },
  );

  // Ends every token at once (a leaked script, a lost laptop); the person confirms with a checkbox.
  app.post<{ Body: Body }>(
    '/account/tokens/revoke-all',
    { ...account, config: formRateLimit(30) },
    async (request, reply) => {
      if (request.body?.confirm !== 'on') {
        const tokens = await listApiTokens(db, request.user!.id);
        return render(
          reply,
          request.t('accounts.account_title'),
          accountPage(request.pageContext(), tokens, {
            revokeAllErrors: { confirm: request.t('accounts.revoke_all_unconfirmed') },
            roles: roleNames(request),
          }),
          422,
        );
      }
      await db.transaction(async (tx) => {
        const revoked = await revokeAllApiTokens(tx, request.user!.id);
        await recordAudit(
          tx,
          { userId: request.user!.id, label: request.user!.email, ip: request.ip },
          'api_token.revoke_all',
          'user',
          request.user!.id,
          null,
          { api_tokens_revoked: revoked },
        );
      });
      return reply.redirect('/account?revoked_all=1', 303);
    },
  );

  app.post<{ Body: Body }>('/account/password', { ...account, config: formRateLimit(10) }, async (request, reply) => {
    try {
      await db.transaction((tx) =>
        changePassword(tx, request.user!.id, request.body, request.cookies[SESSION_COOKIE] ?? '', request.ip),
      );
      return reply.redirect('/account?password=1', 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const tokens = await listApiTokens(db, request.user!.id);
      return render(
        reply,
        request.t('accounts.account_title'),
        accountPage(request.pageContext(), tokens, {
          passwordErrors: fieldMessages(request.t, error),
          roles: roleNames(request),
        }),
        error.statusCode,
      );
    }
  });

  app.post('/account/resend-confirmation', { ...account, config: formRateLimit(5) }, async (request, reply) => {
    await db.transaction((tx) => resendConfirmation(tx, request.user!.id, app.config.publicUrl));
    return reply.redirect('/account?resent=1', 303);
  });

  app.get(
    '/api/v1/me',
    {
      preHandler: allow(signedIn),
      config: apiRateLimit(app),
      schema: {
        tags: ['accounts'],
        operationId: 'getMe',
        summary: 'The account the token belongs to',
        security: [{ bearerAuth: [] }],
        response: {
          401: { ...problemSchema, description: 'No token, or an unknown or revoked one' },
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              email: { type: 'string' },
              display_name: { type: 'string' },
              email_confirmed: { type: 'boolean' },
              roles: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    role: { type: 'string' },
                    organization_id: { type: ['integer', 'null'] },
                    oblast: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const user = request.user!;
      return {
        id: user.id,
        email: user.email,
        display_name: user.displayName,
        email_confirmed: user.emailConfirmed,
        roles: user.memberships.map((m) => ({ role: m.role, organization_id: m.organizationId, oblast: m.oblastSlug })),
      };
    },
  );
}

export const accountsModule = fp(routes, { name: 'accounts' });
