// What anonymous visitors are sent, kept per address, language and version of the data shown, so
// that a busy public page or API list is rendered once per change rather than once per request.
// A signed-in person, or an API client with a token, always gets a fresh rendering (their pages
// show their own account). The versions come from memory (platform/data-version.ts), so serving
// from here costs no database work, and a change anywhere reaches every server's key at once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth.ts';
import type { DataVersions, VersionedData } from '../data-version.ts';

export interface Rendered {
  type: string;
  body: string | Buffer;
}

export class AnonymousCache {
  private readonly versions: DataVersions;
  private readonly entries = new Map<string, Rendered>();
  private readonly limit: number;

  constructor(versions: DataVersions, limit = 500) {
    this.versions = versions;
    this.limit = limit;
  }

  /** Sends the response `render` makes, from the cache when the visitor is anonymous. */
  async send(
    request: FastifyRequest,
    reply: FastifyReply,
    data: VersionedData[],
    render: () => Promise<Rendered>,
  ): Promise<FastifyReply> {
    const anonymous = !request.user && !request.cookies[SESSION_COOKIE] && !request.headers.authorization;
    if (!anonymous) return this.reply(reply, await render());
    const versions = await Promise.all(data.map((name) => this.versions.of(name)));
    const key = `${versions.join('.')}|${request.locale}|${request.url}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const rendered = await render();
      // Kept encoded: encoding a long page to UTF-8 for every response was a third of the time.
      entry = { type: rendered.type, body: Buffer.from(rendered.body) };
      // Oldest first out: a new version's pages push out the old version's.
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, entry);
    }
    return this.reply(reply, entry);
  }

  private reply(reply: FastifyReply, rendered: Rendered): FastifyReply {
    return reply.type(rendered.type).header('cache-control', 'no-store').send(rendered.body);
  }
}
