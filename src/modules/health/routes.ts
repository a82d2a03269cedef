// Liveness and readiness for load balancers and orchestrators.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

async function routes(app: FastifyInstance) {
  const hidden = { schema: { hide: true } };
  // The process is up and serving requests.
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  // The database answers and the schema is migrated: safe to send traffic here.
  app.get('/readyz', hidden, async (request, reply) => {
    try {
      const row = await app.db.one<{ version: string }>('SELECT max(version) AS version FROM schema_migrations');
      return { status: 'ready', database: app.db.engine, schema: row?.version ?? null };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', database: app.db.engine });
    }
  });
}

export const healthRoutes = fp(routes, { name: 'health' });
