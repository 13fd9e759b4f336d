import { formatBytes, ProgressBar } from '../../src/cli/progress';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

test('the progress bar draws on a TTY and clears its line at the end', () => {
  const { writes, stream } = fakeStream(true);
  const bar = new ProgressBar('uploading', 4 * 1024 * 1024, stream);
  bar.update(4 * 1024 * 1024);
  bar.finish();
  expect(writes[0]).toMatch(/^\ruploading \[#{24}\] 100% 4\.0 MiB\/4\.0 MiB .*\/s/);
  expect(writes[writes.length - 1]).toBe('\r\u001b[K');
});

test('the progress bar stays silent when stderr is not a TTY', () => {
  const { writes, stream } = fakeStream(false);
  const bar = new ProgressBar('x', 100, stream);
  bar.update(50);
  bar.finish();
  expect(writes).toEqual([]);
});

test('byte formatting', () => {
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1536)).toBe('1.5 KiB');
  expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
});
