import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './passwords.ts';

test('argon2id hashes verify the right password only, with a fresh salt each time', async () => {
  const hash = await hashPassword('correct horse battery');
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verifyPassword('correct horse battery', hash), true);
  assert.equal(await verifyPassword('correct horse batterY', hash), false);
  assert.notEqual(await hashPassword('correct horse battery'), hash);
  assert.equal(await verifyPassword('x', 'not a hash'), false);
});
