import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor } from './redaction.js';

test('the credentials of an RPC URL are secrets wherever they appear; a bare local URL is not', () => {
  const r = new Redactor();
  r.addSecretsOfUrl('https://operator:hunter2-password@eth.example.org/v2/AbCdEf0123456789?apikey=QWERTY-987654321');
  r.addSecretsOfUrl('http://127.0.0.1:8545');
  r.addSecretsOfUrl('not a url');
  const text = r.redactString('calling https://operator:hunter2-password@eth.example.org/v2/AbCdEf0123456789?apikey=QWERTY-987654321 and http://127.0.0.1:8545 failed');
  for (const secret of ['hunter2-password', 'AbCdEf0123456789', 'QWERTY-987654321']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.match(text, /eth\.example\.org/);
  assert.match(text, /http:\/\/127\.0\.0\.1:8545 failed/);
});
