import { contentDisposition } from '../../src/http/content-disposition';
import { parseRange } from '../../src/http/range';

test.each([
  [undefined, 100, { kind: 'full' }],
  ['bytes=0-9', 100, { kind: 'partial', start: 0, end: 9 }],
  ['bytes=90-', 100, { kind: 'partial', start: 90, end: 99 }],
  ['bytes=90-1000', 100, { kind: 'partial', start: 90, end: 99 }],
  ['bytes=-10', 100, { kind: 'partial', start: 90, end: 99 }],
  ['bytes=-1000', 100, { kind: 'partial', start: 0, end: 99 }],
  ['bytes=100-', 100, { kind: 'unsatisfiable' }],
  ['bytes=-0', 100, { kind: 'unsatisfiable' }],
  ['bytes=0-', 0, { kind: 'unsatisfiable' }],
  ['bytes=9-0', 100, { kind: 'full' }],
  ['bytes=0-1,5-6', 100, { kind: 'full' }],
  ['items=0-1', 100, { kind: 'full' }],
  ['bytes=-', 100, { kind: 'full' }],
  ['bytes=99999999999999999999-', 100, { kind: 'full' }],
])('Range %j of %i bytes', (header, size, want) => {
  expect(parseRange(header, size)).toEqual(want);
});

test.each([
  ['report.json', 'attachment; filename="report.json"'],
  ['../../etc/passwd', 'attachment; filename="passwd"'],
  ['C:\\temp\\x.txt', 'attachment; filename="x.txt"'],
  ['say "hi"\\.txt', 'attachment; filename=".txt"'],
  ['日本語.txt', `attachment; filename="___.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt`],
  ["it's (1)*.txt", `attachment; filename="it's (1)*.txt"`],
  ['100%.txt', `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`],
  ['a\r\nSet-Cookie: x', 'attachment; filename="aSet-Cookie: x"'],
  ['', 'attachment; filename="sha256-abc"'],
  ['..', 'attachment; filename="sha256-abc"'],
])('Content-Disposition for %j', (name, want) => {
  expect(contentDisposition(name, 'sha256-abc')).toBe(want);
});
