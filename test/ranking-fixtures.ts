// A small methodology document for the ranking tests.
import type { MethodologyDocument } from '../src/modules/ranking/methodology.ts';

export const l = (text: string) => ({ uk: `${text} (uk)`, en: text, bg: `${text} (bg)` });

export function sample(version = '2021.1'): MethodologyDocument {
  return {
    year: 2021,
    version,
    title: l('Transparent cities 2021'),
    areas: [
      {
        code: '1',
        name: l('Information on the council'),
        max_points: 3,
        indicators: [
          {
            code: 'K01',
            question: l('Are the council’s decisions published?'),
            guidance: l('Check the website'),
            points: 2,
            type: 'legal',
            evidence: ['website'],
            not_applicable_allowed: false,
            levels: [
              { value: 1, description: l('For two years') },
              { value: 0.5, description: l('At least half') },
              { value: 0, description: l('Less') },
            ],
          },
          {
            code: 'K02',
            question: l('Are votes by name published as open data?'),
            guidance: { uk: '', en: '', bg: '' },
            points: 1,
            type: 'best_practice',
            evidence: ['open_data', 'information_request'],
            not_applicable_allowed: true,
            levels: [
              { value: 1, description: l('Yes') },
              { value: 0, description: l('No') },
            ],
          },
        ],
      },
    ],
  };
}
