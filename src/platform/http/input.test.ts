import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../errors.ts';
import { encodingProblems, strictFormParser, valueProblems } from './input.ts';

test('a query string or form body: NUL bytes and broken UTF-8 named by their parameter', () => {
  assert.deepEqual(encodingProblems('q=%D0%BB%D1%8C%D0%B2%D1%96%D0%B2&sort=name+asc&flag', 'query'), []);
  assert.deepEqual(encodingProblems('q=a%00b&fq=%C3%28&rows=%FF&ok=1&%00=1&x=%', 'query'), [
    { field: 'q', message: 'validation.nul_byte', in: 'query' },
    { field: 'fq', message: 'validation.bad_encoding', in: 'query' },
    { field: 'rows', message: 'validation.bad_encoding', in: 'query' },
    { field: '?', message: 'validation.nul_byte', in: 'query' },
    { field: 'x', message: 'validation.bad_encoding', in: 'query' },
  ]);
  // A name that cannot be decoded is named as it came.
  assert.deepEqual(encodingProblems('%FF%FE=1', 'body'), [
    { field: '%FF%FE', message: 'validation.bad_encoding', in: 'body' },
  ]);
});

test('a parsed value: NUL bytes in strings and keys, numbers that are not finite, by their path', () => {
  assert.deepEqual(valueProblems({ title: 'Львів', rows: 5, tags: [{ name: 'a' }], n: null }, 'body'), []);
  assert.deepEqual(
    valueProblems({ extras: [{ key: 'k', value: 'a\0' }], limit: Number.POSITIVE_INFINITY, 'x\0': 1 }, 'body'),
    [
      { field: 'x?', message: 'validation.nul_byte', in: 'body' },
      { field: 'extras/0/value', message: 'validation.nul_byte', in: 'body' },
      { field: 'limit', message: 'validation.finite_number', in: 'body' },
    ],
  );
  assert.deepEqual(valueProblems('\0', 'body'), [{ field: 'body', message: 'validation.nul_byte', in: 'body' }]);
});

test('a value nested fifty thousand deep is walked in linear time', () => {
  const deep = JSON.parse(`${'['.repeat(50_000)}"\\u0000"${']'.repeat(50_000)}`);
  const started = performance.now();
  const problems = valueProblems(deep, 'body');
  assert.ok(performance.now() - started < 500, 'well under half a second');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.message, 'validation.nul_byte');
});

test('the form parser keeps repeated fields as lists and refuses broken UTF-8 with a 400', () => {
  const body = strictFormParser('themes=ECON&themes=GOVE&title=%D0%9B%D1%8C%D0%B2%D1%96%D0%B2+2024&empty=');
  assert.deepEqual({ ...body }, { themes: ['ECON', 'GOVE'], title: 'Львів 2024', empty: '' });
  assert.throws(
    () => strictFormParser('_csrf=t&title=%C3%28'),
    (error: unknown) =>
      error instanceof ValidationError && error.statusCode === 400 && error.problems[0]!.field === 'title',
  );
});
