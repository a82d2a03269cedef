// Pages composed from what each module contributes: the home page, a city's profile. A module
// registers its sections when it starts (petitions: "collecting signatures now"; budgets: "voting
// now"…), so the home and cities modules need not import every module, and a new module adds its
// part without touching them. Sections render in `order`; one that has nothing to show returns null.
import type { FastifyRequest } from 'fastify';
import type { CurrentUser } from './auth.ts';
import { html, type SafeHtml } from './html/html.ts';

/** What a section of each place is about. */
export interface SectionSubjects {
  home: undefined;
  city: { id: number; slug: string };
  /** The site-wide search: each module shows what it found for the words. */
  search: { q: string };
  /** A signed-in person's starting point: each module shows what this person has to do or follow there. */
  dashboard: CurrentUser;
  /** A catalog dataset's page: what other modules say about this dataset (e.g. the list item it fulfils). */
  dataset: { id: number; name: string; city_id: number; state: string };
  /** A procurement procedure's page: what other modules link to it (the budget project it delivers). */
  procedure: { ocid: string; city_id: number | null };
  /** An event's page: what other modules link to it (the course a training belongs to). */
  event: { id: number; kind: string };
  /** The community hub (/community): each module's card (events, datathons, showcase, requests, courses…). */
  community: undefined;
}

export type SectionPlace = keyof SectionSubjects;

export interface Section<P extends SectionPlace> {
  /** Unique within its place; tests and styles find the section by it. */
  id: string;
  /** Lower first. */
  order: number;
  render(request: FastifyRequest, subject: SectionSubjects[P]): Promise<SafeHtml | null>;
}

/** A dated event a visitor may want to act before: a petition closing, a vote ending. */
export interface Deadline {
  at: Date;
  title: string;
  url: string;
  /** What happens then, in the reader's language ("signatures close", "voting ends"). */
  what: string;
}

/** A module's notes on datasets of the catalog's list: one short text per dataset it has something to say about. */
export type DatasetNotes = (request: FastifyRequest, datasetIds: number[]) => Promise<Map<number, SafeHtml>>;

export class Sections {
  private readonly byPlace: { [P in SectionPlace]: Section<P>[] } = {
    home: [],
    city: [],
    search: [],
    dashboard: [],
    dataset: [],
    procedure: [],
    community: [],
    event: [],
  };
  private readonly deadlineSources: ((request: FastifyRequest, until: Date) => Promise<Deadline[]>)[] = [];
  private readonly datasetNoteSources: DatasetNotes[] = [];

  add<P extends SectionPlace>(place: P, section: Section<P>): void {
    const list = this.byPlace[place] as Section<P>[];
    if (list.some((s) => s.id === section.id)) throw new Error(`section ${place}/${section.id} registered twice`);
    list.push(section);
    list.sort((a, b) => a.order - b.order);
  }

  /** Every section of the place for this request, in order; those with nothing to show are left out. */
  async render<P extends SectionPlace>(
    place: P,
    request: FastifyRequest,
    subject: SectionSubjects[P],
  ): Promise<SafeHtml> {
    const list = this.byPlace[place] as Section<P>[];
    const parts = await Promise.all(list.map((section) => section.render(request, subject)));
    return html`${parts.filter((part): part is SafeHtml => part !== null)}`;
  }

  /** Short notes other modules add to datasets in the catalog's list ("used in 3 apps"). */
  addDatasetNotes(source: DatasetNotes): void {
    this.datasetNoteSources.push(source);
  }

  /** Every module's notes on these datasets, by dataset id, in the order the modules registered. */
  async datasetNotes(request: FastifyRequest, datasetIds: number[]): Promise<Map<number, SafeHtml[]>> {
    const notes = new Map<number, SafeHtml[]>();
    if (!datasetIds.length) return notes;
    for (const found of await Promise.all(this.datasetNoteSources.map((source) => source(request, datasetIds))))
      for (const [id, note] of found) notes.set(id, [...(notes.get(id) ?? []), note]);
    return notes;
  }

  /** A module's upcoming deadlines, for the home page's list. */
  addDeadlines(source: (request: FastifyRequest, until: Date) => Promise<Deadline[]>): void {
    this.deadlineSources.push(source);
  }

  /** Everyone's deadlines from now until `until`, soonest first. */
  async deadlines(request: FastifyRequest, until: Date, limit: number): Promise<Deadline[]> {
    const all = (await Promise.all(this.deadlineSources.map((source) => source(request, until)))).flat();
    return all.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, limit);
  }
}

/** A titled block of a composed page, with the id tests and styles find it by. */
export function sectionBlock(id: string, title: string, body: SafeHtml): SafeHtml {
  return html`<section class="dash-section" id="${id}" aria-labelledby="${id}-title">
<h2 id="${id}-title">${title}</h2>
${body}
</section>`;
}

/** A card of the community hub: what the part is, a live figure, and where it is. */
export function hubCard(card: {
  id: string;
  title: string;
  href: string;
  figure: string | null;
  text: string;
}): SafeHtml {
  return html`<li class="card" id="hub-${card.id}"><h2><a href="${card.href}">${card.title}</a></h2>${
    card.figure === null ? '' : html`<span class="stat">${card.figure}</span>`
  }<p>${card.text}</p></li>`;
}
