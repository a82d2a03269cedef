// The baseline of the HTTP benchmarks: bare Fastify, nothing registered, sending from memory a body
// of the size given for each path (`BODIES=/cities=51234,/api=20480`), with the same content type.
// It is the limit: what the framework costs on this machine, with no work of ours.
import Fastify from 'fastify';

const bodies = new Map(
  (process.env.BODIES ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [path, size] = entry.split('=');
      return [path!, Buffer.alloc(Number(size), 'x')] as const;
    }),
);
const app = Fastify({ logger: false });
app.get('/*', async (request, reply) => {
  const body = bodies.get(request.url);
  if (!body) return reply.code(404).send();
  return reply.type('text/html; charset=utf-8').send(body);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
