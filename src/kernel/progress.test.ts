import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createProgress } from './progress.js';
import { createLogging } from './logging.js';
import { Redactor } from './redaction.js';

function capture(isTTY: boolean) {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, cb) => ((text += String(chunk)), cb()) }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY?: boolean }).isTTY = isTTY;
  return { stream, text: () => text };
}

function logLines() {
  const lines: Array<Record<string, unknown>> = [];
  const logging = createLogging({ level: 'info', redactor: new Redactor(), destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  return { logger: logging.root, lines };
}

test('on a TTY, a bar is redrawn with the share done; done ends the line and logs once', () => {
  const out = capture(true);
  const { logger, lines } = logLines();
  const p = createProgress({ label: 'work', total: 4, logger, stream: out.stream });
  p.add(1);
  p.add(1);
  assert.match(out.text(), /\rwork \[#{15}\.{15}\] 50\.0%/);
  p.add(2);
  p.done();
  assert.match(out.text(), /100\.0%.*\n$/);
  assert.deepEqual(lines.map((l) => l.msg), ['work: done']);
});

test('off a TTY, nothing is drawn and a log line reports progress at most every logEveryMs', async () => {
  const out = capture(false);
  const { logger, lines } = logLines();
  const p = createProgress({ label: 'sync', total: 10, logger, stream: out.stream, logEveryMs: 20 });
  p.add(1);
  assert.equal(lines.length, 0, 'no line before logEveryMs passed');
  await new Promise((r) => setTimeout(r, 30));
  p.add(2);
  p.add(3);
  p.done();
  assert.equal(out.text(), '');
  assert.deepEqual(lines.map((l) => l.msg), ['sync: 3/10', 'sync: done']);
  assert.equal(lines[0]!.total, 10);
});
