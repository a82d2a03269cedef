// Form handling shared by every module: run the change; on a ValidationError show the same
// form again, with what the person typed and a message next to each wrong field.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../errors.ts';
import type { SafeHtml } from '../html/html.ts';
import type { Actor } from '../audit.ts';
import type { Translate } from '../i18n/locales.ts';

export function fieldMessages(t: Translate, error: ValidationError): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const problem of error.problems) messages[problem.field] ??= t(problem.message, problem.params);
  return messages;
}

export async function submitForm(
  request: FastifyRequest,
  reply: FastifyReply,
  options: {
    title: string;
    action: () => Promise<string>;
    /** Renders the form again with the field messages. */
    form: (errors: Record<string, string>) => SafeHtml;
  },
): Promise<FastifyReply> {
  try {
    const location = await options.action();
    return reply.redirect(location, 303);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return reply.page({ title: options.title, body: options.form(fieldMessages(request.t, error)) }, error.statusCode);
  }
}

/** Who is acting, for the audit log. */
export function actorOf(request: FastifyRequest): Actor {
  return { userId: request.user?.id ?? null, label: request.user?.email ?? 'anonymous', ip: request.ip };
}

/**
 * For multipart forms (routes with `config: { csrf: 'multipart' }`): checks the CSRF token among
 * the fields that precede the file, so that a forged upload is refused before anything is stored.
 */
export function csrfBeforeFile(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  return (fields: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      (request as { body: unknown }).body = { _csrf: fields._csrf };
      app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()));
    });
}
