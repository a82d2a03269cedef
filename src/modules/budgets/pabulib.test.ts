import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toPabulib } from './pabulib.ts';

test('a district as a Pabulib .pb file: META, PROJECTS and VOTES with their headers', () => {
  const text = toPabulib({
    meta: {
      description: 'Громадський бюджет; демо',
      country: 'Ukraine',
      unit: 'Lviv',
      subunit: 'Сихів',
      instance: '2030',
      budget: 1_000_000,
      voteType: 'approval',
      rule: 'greedy',
      currency: 'UAH',
      dateBegin: '01.04.2030',
      dateEnd: '30.04.2030',
      maxLength: 3,
      language: 'ukrainian',
    },
    projects: [
      {
        id: 1,
        cost: 400_000,
        votes: 2,
        name: 'Сквер "Під липами"',
        category: 'parks',
        selected: true,
        latitude: 49.8,
        longitude: 24.05,
      },
      {
        id: 2,
        cost: 700_000,
        votes: 1,
        name: 'Дорога',
        category: 'roads',
        selected: false,
        latitude: null,
        longitude: null,
      },
    ],
    votes: [
      { voterId: 'v1', projectIds: [1, 2], voting_method: 'internet' },
      { voterId: 'v2', projectIds: [1], voting_method: 'paper' },
    ],
  });
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'META');
  assert.equal(lines[1], 'key;value');
  assert.equal(lines[2], 'description;"Громадський бюджет; демо"');
  assert.ok(lines.includes('num_projects;2'));
  assert.ok(lines.includes('num_votes;2'));
  assert.ok(lines.includes('max_length;3'));
  const projects = lines.indexOf('PROJECTS');
  assert.equal(lines[projects + 1], 'project_id;cost;votes;name;category;selected;latitude;longitude');
  assert.equal(lines[projects + 2], '1;400000;2;"Сквер ""Під липами""";parks;1;49.8;24.05');
  assert.equal(lines[projects + 3], '2;700000;1;Дорога;roads;0;;');
  const votes = lines.indexOf('VOTES');
  assert.deepEqual(lines.slice(votes + 1), ['voter_id;vote;voting_method', 'v1;1,2;internet', 'v2;1;paper']);
});
