// The admin area: dashboard, users and memberships, the audit log and the mail outbox.
// Cities and organisations have their admin pages in their own modules.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allow } from '../../platform/http/guards.ts';
import { actorOf, fieldMessages, submitForm } from '../../platform/http/forms.ts';
import { ValidationError } from '../../platform/errors.ts';
import { listAudit } from '../../platform/audit.ts';
import { getOutboxMessage, listOutbox } from '../../platform/mail.ts';
import { NotFoundError } from '../../platform/errors.ts';
import {
  addMembership,
  getUser,
  inviteUser,
  listMemberships,
  listUsers,
  removeMembership,
  updateUserByAdmin,
} from '../accounts/service.ts';
import { listOblasts } from '../cities/service.ts';
import { listOrganizations } from '../organizations/service.ts';
import {
  auditPage,
  dashboardPage,
  inviteUserPage,
  outboxMessagePage,
  outboxPage,
  userDetailPage,
  userListPage,
} from './views.ts';
import { canAdminister } from './policy.ts';
import { styleguidePage } from './styleguide.ts';

const PAGE = 50;
const AUDIT_PAGE = 20; // events can list many fields each
const idParam = { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } } } as const;
const offsetOf = (value: unknown) => Math.max(0, Math.min(1_000_000, Number(value) || 0));

async function routes(app: FastifyInstance) {
  const { db } = app;
  const admin = { preHandler: allow(canAdminister) };

  app.get('/admin', admin, async (request, reply) => {
    const count = async (table: string) => (await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))!.n;
    const counts = {
      cities: await count('cities'),
      organizations: await count('organizations'),
      users: await count('users'),
      audit: await count('audit_events'),
      outbox: await count('outbox'),
    };
    return reply.page({
      title: request.t('admin.title'),
      nav: 'admin',
      body: dashboardPage(request.pageContext(), counts),
    });
  });

  // The design system's components, live: for the admins who build and check pages.
  app.get('/styleguide', admin, async (request, reply) =>
    reply.page({
      title: request.t('styleguide.title'),
      nav: 'admin',
      body: styleguidePage(request.pageContext()),
    }),
  );

  app.get<{ Querystring: { q?: string; offset?: string } }>('/admin/users', admin, async (request, reply) => {
    const q = String(request.query.q ?? '').slice(0, 200);
    const offset = offsetOf(request.query.offset);
    const result = await listUsers(db, { q: q || undefined, limit: PAGE, offset });
    return reply.page({
      title: request.t('admin.users'),
      nav: 'admin',
      body: userListPage(request.pageContext(), result.items, q, { total: result.total, limit: PAGE, offset }),
    });
  });

  app.get('/admin/users/new', admin, async (request, reply) =>
    reply.page({
      title: request.t('admin.invite_user'),
      nav: 'admin',
      body: inviteUserPage(request.pageContext(), { locale: request.locale }, undefined),
    }),
  );

  app.post<{ Body: Record<string, unknown> }>('/admin/users/new', admin, async (request, reply) =>
    submitForm(request, reply, {
      title: request.t('admin.invite_user'),
      action: async () => {
        const user = await db.transaction((tx) => inviteUser(tx, actorOf(request), request.body, app.config.publicUrl));
        return `/admin/users/${user.id}?saved=1`;
      },
      form: (errors) => inviteUserPage(request.pageContext(), request.body ?? {}, errors),
    }),
  );

  async function renderUser(
    request: FastifyRequest,
    id: number,
    options: Parameters<typeof userDetailPage>[5],
    status = 200,
  ) {
    const user = await getUser(db, id);
    const [memberships, organizations, oblasts] = await Promise.all([
      listMemberships(db, id),
      listOrganizations(db, { limit: 1000, offset: 0 }).then((r) => r.items),
      listOblasts(db, request.locale),
    ]);
    return {
      status,
      page: {
        title: user.email,
        nav: 'admin' as const,
        body: userDetailPage(request.pageContext(), user, memberships, organizations, oblasts, options),
      },
    };
  }

  app.get<{ Params: { id: number }; Querystring: { saved?: string } }>(
    '/admin/users/:id',
    { ...admin, schema: { params: idParam } },
    async (request, reply) => {
      const { page } = await renderUser(request, request.params.id, {
        notice: request.query.saved ? request.t('admin.saved') : undefined,
      });
      return reply.page(page);
    },
  );

  // Each change re-shows the user's page: with the saved notice, or with the field messages.
  const change =
    (
      action: (
        request: FastifyRequest<{ Params: { id: number; membership?: number }; Body: Record<string, unknown> }>,
      ) => Promise<void>,
    ) =>
    async (
      request: FastifyRequest<{ Params: { id: number; membership?: number }; Body: Record<string, unknown> }>,
      reply: import('fastify').FastifyReply,
    ) => {
      try {
        await action(request);
        return reply.redirect(`/admin/users/${request.params.id}?saved=1`, 303);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const { page } = await renderUser(request, request.params.id, {
          errors: fieldMessages(request.t, error),
          values: request.body ?? {},
        });
        return reply.page(page, error.statusCode);
      }
    };

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/admin/users/:id',
    { ...admin, schema: { params: idParam } },
    change((request) =>
      db.transaction((tx) => updateUserByAdmin(tx, actorOf(request), request.params.id, request.body)),
    ),
  );

  app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
    '/admin/users/:id/memberships',
    { ...admin, schema: { params: idParam } },
    change((request) => db.transaction((tx) => addMembership(tx, actorOf(request), request.params.id, request.body))),
  );

  app.post<{ Params: { id: number; membership: number }; Body: Record<string, unknown> }>(
    '/admin/users/:id/memberships/:membership/delete',
    {
      ...admin,
      schema: {
        params: { type: 'object', properties: { id: idParam.properties.id, membership: idParam.properties.id } },
      },
    },
    change((request) =>
      db.transaction((tx) => removeMembership(tx, actorOf(request), request.params.id, request.params.membership!)),
    ),
  );

  app.get<{ Querystring: { entity_type?: string; entity_id?: string; offset?: string } }>(
    '/admin/audit',
    admin,
    async (request, reply) => {
      const filter = {
        entity_type: String(request.query.entity_type ?? '').slice(0, 40),
        entity_id: String(request.query.entity_id ?? '').slice(0, 40),
      };
      const offset = offsetOf(request.query.offset);
      const result = await listAudit(db, {
        entityType: filter.entity_type || undefined,
        entityId: filter.entity_id || undefined,
        limit: AUDIT_PAGE,
        offset,
      });
      return reply.page({
        title: request.t('admin.audit'),
        nav: 'admin',
        body: auditPage(request.pageContext(), result.items, filter, {
          total: result.total,
          limit: AUDIT_PAGE,
          offset,
        }),
      });
    },
  );

  app.get<{ Querystring: { offset?: string } }>('/admin/outbox', admin, async (request, reply) => {
    const offset = offsetOf(request.query.offset);
    const result = await listOutbox(db, PAGE, offset);
    return reply.page({
      title: request.t('admin.outbox'),
      nav: 'admin',
      body: outboxPage(
        request.pageContext(),
        result.items,
        { total: result.total, limit: PAGE, offset },
        !!app.config.smtpUrl,
      ),
    });
  });

  app.get<{ Params: { id: number } }>(
    '/admin/outbox/:id',
    { ...admin, schema: { params: idParam } },
    async (request, reply) => {
      const message = await getOutboxMessage(db, request.params.id);
      if (!message) throw new NotFoundError('message');
      return reply.page({
        title: message.subject,
        nav: 'admin',
        body: outboxMessagePage(request.pageContext(), message),
      });
    },
  );
}

export const adminModule = fp(routes, { name: 'admin' });
