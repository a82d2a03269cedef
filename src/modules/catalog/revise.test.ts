// package_revise's dictionary operations against the cases of CKAN's own tests for them
// (ckan/tests/lib/navl/test_dictization_functions.py, CKAN 2.10: TestCheckDict, TestResolveStringKey,
// TestCheckStringKey, TestFilterGlobMatch, TestMergeDict, TestMergeStringKey), same inputs, same answers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReviseError, filterGlob, mergeDict, mergeKey, resolve, unmatched, type Json } from './revise.ts';

type Dict = { [key: string]: Json };
const sample = (): Dict => ({ a: [{ b: 'c' }], d: 'e' });
/** check_string_key: the value at the key checked against the expected one. */
const checkKey = (data: Dict, key: string, value: Json) => {
  const { value: current, path } = resolve(data, key);
  return unmatched(current, value, path);
};
const fails = (fn: () => unknown, message: string) =>
  assert.throws(fn, (error: unknown) => error instanceof ReviseError && error.message === message);

describe('check_dict', () => {
  test('exact, child and parent matches', () => {
    assert.deepEqual(unmatched(sample(), { a: [{ b: 'c' }], d: 'e' }), []);
    assert.deepEqual(unmatched(sample(), { a: [{ b: 'c' }] }), []);
    assert.deepEqual(unmatched(sample(), { d: 'e' }), []);
  });
  test('every path that differs, in key order', () => {
    assert.deepEqual(unmatched(sample(), { q: [{ b: 'c' }], a: [{ z: 'x' }], r: 'e' }), [['a', 0, 'z'], ['q'], ['r']]);
  });
  test('a list where a dict is expected and the reverse', () => {
    assert.deepEqual(unmatched({ a: [{ b: [] }], d: 'e' }, { a: [{ b: {} }] }), [['a', 0, 'b']]);
    assert.deepEqual(unmatched({ a: [{ b: [] }], d: 'e' }, { a: [['b']] }), [['a', 0]]);
  });
});

describe('resolve_string_key', () => {
  test('values in dicts and lists', () => {
    assert.deepEqual(resolve(sample(), 'a__0__b'), { value: 'c', path: ['a', 0, 'b'] });
    assert.deepEqual(resolve(sample(), 'a__0'), { value: { b: 'c' }, path: ['a', 0] });
  });
  test('unmatched keys name the part that failed', () => {
    fails(() => resolve(sample(), 'a__0__c'), 'Unmatched key a__0__c');
    fails(() => resolve(sample(), 'a__1__c'), 'Unmatched key a__1');
  });
  test('a list item by the first five or more characters of its id', () => {
    assert.deepEqual(resolve({ a: [{ id: 'deadbeef', d: 'e' }] }, 'a__deadb__d'), { value: 'e', path: ['a', 0, 'd'] });
    fails(() => resolve({ a: [{ id: 'deadbeef', d: 'e' }] }, 'a__dead__d'), 'Unmatched key a__dead');
  });
  test('a negative index counts from the end', () => {
    assert.deepEqual(resolve({ a: ['x', 'y'] }, 'a__-1'), { value: 'y', path: ['a', 1] });
  });
});

describe('check_string_key', () => {
  test('children that match', () => {
    assert.deepEqual(checkKey(sample(), 'a', [{ b: 'c' }]), []);
    assert.deepEqual(checkKey(sample(), 'd', 'e'), []);
  });
  test('children that differ', () => {
    assert.deepEqual(checkKey({ t: sample() }, 't', { q: [{ b: 'c' }], a: [{ z: 'x' }], r: 'e' }), [
      ['t', 'a', 0, 'z'],
      ['t', 'q'],
      ['t', 'r'],
    ]);
    assert.deepEqual(checkKey(sample(), 'a__0__b', 'z'), [['a', 0, 'b']]);
    assert.deepEqual(checkKey({ a: [{ b: [] }], d: 'e' }, 'a__0__b', {}), [['a', 0, 'b']]);
    assert.deepEqual(checkKey({ a: [{ b: [] }], d: 'e' }, 'a__0', ['b']), [['a', 0]]);
  });
});

describe('filter_glob_match', () => {
  const data = (): Dict => ({ q: [{ b: 'c' }, { z: 'x' }], r: 'e' });
  const filtered = (value: Json, patterns: string[]) => {
    filterGlob(value, patterns);
    return value;
  };
  test('removes leaves and list items', () => {
    assert.deepEqual(filtered(data(), ['q__0__b', 'q__1__z', 'r']), { q: [{}, {}] });
    assert.deepEqual(filtered(data(), ['q__0']), { q: [{ z: 'x' }], r: 'e' });
  });
  test('+ protects from a later pattern', () => {
    assert.deepEqual(filtered(data(), ['+q__1', 'q__*']), { q: [{ z: 'x' }], r: 'e' });
    assert.deepEqual(filtered(data(), ['+q', '*']), { q: [{ b: 'c' }, { z: 'x' }] });
    assert.deepEqual(filtered({ q: 'b', c: 'z', r: 'e' }, ['q', '+*', 'r']), { c: 'z', r: 'e' });
    assert.deepEqual(filtered([{ id: 'hello' }, { id: 'world' }, { id: 'people' }], ['world', '+*', 'hello']), [
      { id: 'hello' },
      { id: 'people' },
    ]);
  });
});

describe('update_merge_dict', () => {
  const merged = (data: Dict, update: Json) => {
    mergeDict(data, update);
    return data;
  };
  test('deep merges, replacements, lists item by item', () => {
    assert.deepEqual(merged(sample(), { q: [{ b: 'c' }], a: [{ z: 'x' }], r: 'e' }), {
      q: [{ b: 'c' }],
      a: [{ b: 'c', z: 'x' }],
      r: 'e',
      d: 'e',
    });
    assert.deepEqual(merged(sample(), { a: [{ b: 'z' }] }), { a: [{ b: 'z' }], d: 'e' });
    assert.deepEqual(merged(sample(), { d: 'd' }), { a: [{ b: 'c' }], d: 'd' });
    assert.deepEqual(merged({ a: ['q', 'w', 'e', 'r', 't'] }, { a: ['z', 'x', 'c'] }), {
      a: ['z', 'x', 'c', 'r', 't'],
    });
  });
  test('a list for a dict or the reverse is an error naming the key', () => {
    fails(() => mergeDict({ a: [{ b: [] }], d: 'e' }, { a: [{ b: {} }] }), 'Expected list for a__0__b');
    fails(() => mergeDict({ a: [{ b: [] }], d: 'e' }, { a: [['b']] }), 'Expected dict for a__0');
  });
  test('a "__proto__" key is data, never a prototype', () => {
    const data: Dict = {};
    mergeDict(data, JSON.parse('{"__proto__": {"polluted": true}}'));
    assert.deepEqual(Object.keys(data), ['__proto__']);
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.equal(({} as Dict).polluted, undefined);
  });
});

describe('update_merge_string_key', () => {
  const merged = (data: Dict, key: string, value: Json) => {
    mergeKey(data, key, value);
    return data;
  };
  test('replaces a child, a parent, a list item; extends a list', () => {
    assert.deepEqual(merged(sample(), 'a__0__b', 'z'), { a: [{ b: 'z' }], d: 'e' });
    assert.deepEqual(merged(sample(), 'd', 'd'), { a: [{ b: 'c' }], d: 'd' });
    assert.deepEqual(merged({ a: ['q', 'w', 'e', 'r', 't'] }, 'a__0', 'z'), { a: ['z', 'w', 'e', 'r', 't'] });
    assert.deepEqual(merged(sample(), 'a__extend', [{ b: 'd' }]), { a: [{ b: 'c' }, { b: 'd' }], d: 'e' });
  });
  test('type mismatches are errors naming the key', () => {
    fails(() => mergeKey({ a: [{ b: [] }], d: 'e' }, 'a__0__b', {}), 'Expected list for a__0__b');
    fails(() => mergeKey({ a: [{ b: [] }], d: 'e' }, 'a__0', ['b']), 'Expected dict for a__0');
    fails(() => mergeKey(sample(), 'a__extend', 'x'), 'Expected list for a');
  });
});
