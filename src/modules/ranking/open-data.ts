// Publishing a campaign also publishes each participating city's scores as open data: a
// dataset of the city ("{city}-transparency-ranking") with one DataStore resource per campaign,
// loaded like any upload. A correction replaces that resource's file, and the DataStore swaps
// the new rows in when they are loaded.
import { Readable } from 'node:stream';
import type { Queryable } from '../../platform/db/index.ts';
import type { Actor } from '../../platform/audit.ts';
import { fileStoreOf, type FileStore } from '../../platform/files.ts';
import { addResource, createDataset, getDataset } from '../catalog/service.ts';
import { addUploadedResource, replaceUploadedFile } from '../datastore/service.ts';
import type { Board, IndicatorScore } from './board.ts';
import { scoreRecords, tableCsv } from './records.ts';

export const rankingDatasetName = (citySlug: string) => `${citySlug}-transparency-ranking`.slice(0, 100);

/**
 * With a file store (or a data folder for the local one) the scores are stored as CSV files for
 * the DataStore, in `db`'s transaction; without one (some tests, the demo without files) the
 * resource links to the export.
 */
export async function publishRankingData(
  db: Queryable,
  actor: Actor,
  board: Board,
  scores: IndicatorScore[],
  files: FileStore | string | null,
  onlyCityId?: number,
): Promise<void> {
  const { campaign } = board;
  for (const row of board.rows) {
    if (onlyCityId !== undefined && row.cityId !== onlyCityId) continue;
    const name = rankingDatasetName(row.city.slug);
    let dataset = await db.one<{ id: number }>('SELECT id FROM datasets WHERE name = $1', [name]);
    if (!dataset) {
      dataset = await createDataset(
        db,
        actor,
        {
          name,
          city_id: row.cityId,
          title_uk: `Рейтинг прозорості: ${row.city.name_uk}`,
          title_en: `Transparency ranking: ${row.city.name_en}`,
          title_bg: `Рейтинг на прозрачност: ${row.city.name_bg}`,
          description_uk:
            'Оцінки міста за кожним індикатором рейтингу прозорості: рівень, бали, коментар, рекомендація й докази. Оцінюють громадські організації, перевіряють регіональні координатори. Оновлюється автоматично з публікацією кожної кампанії та кожним виправленням.',
          description_en:
            'The city’s score on every indicator of the transparency ranking: level, points, comment, recommendation and evidence. Assessed by civil-society organisations and verified by regional coordinators. Updated automatically with each campaign and each correction.',
          description_bg:
            'Оценките на града по всеки показател от рейтинга на прозрачност: ниво, точки, коментар, препоръка и доказателства. Оценяват граждански организации, проверяват регионални координатори. Обновява се автоматично.',
          license_id: 'CC-BY-4.0',
          themes: ['GOVE'],
          keywords: ['прозорість', 'transparency', 'рейтинг'],
          frequency: 'ANNUAL',
          contact_name: null,
          contact_email: null,
          temporal_start: null,
          temporal_end: null,
          spatial: row.city.name_uk,
          legal_basis: null,
          purpose: null,
        },
        'published',
      );
    }
    const full = await getDataset(db, name, { all: true });
    const fileName = `transparency-${campaign.year}-campaign-${campaign.id}.csv`;
    const resourceName = `${campaign.year}: оцінки за індикаторами / scores by indicator`;
    if (!files) {
      if (!(await db.one('SELECT 1 FROM resources WHERE dataset_id = $1 AND name = $2', [full.id, resourceName]))) {
        await addResource(db, actor, full, {
          name: resourceName,
          description: '',
          format: 'CSV',
          url: `/ranking/campaigns/${campaign.id}/scores.csv?city=${row.city.slug}`,
        });
      }
      continue;
    }
    const table = scoreRecords(
      board,
      scores.filter((s) => s.city_id === row.cityId),
    );
    const stored = await fileStoreOf(files).put(
      Readable.from([Buffer.from(tableCsv(table), 'utf8')]),
      Number.MAX_SAFE_INTEGER,
      { db },
    );
    const existing = await db.one<{ id: string }>('SELECT id FROM resources WHERE dataset_id = $1 AND file_name = $2', [
      full.id,
      fileName,
    ]);
    if (existing) await replaceUploadedFile(db, actor, existing.id, { file: stored, fileName });
    else await addUploadedResource(db, actor, full, { file: stored, fileName, name: resourceName, description: '' });
  }
}
