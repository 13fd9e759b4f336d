import { basename } from 'node:path';

/** Media types for the evidence cairn usually carries, by file name; octet-stream otherwise. */
const BY_SUFFIX: [string, string][] = [
  ['.cdx.json', 'application/vnd.cyclonedx+json'],
  ['.spdx.json', 'application/spdx+json'],
  ['.intoto.jsonl', 'application/vnd.in-toto+jsonl'],
  ['.sarif', 'application/sarif+json'],
  ['.json', 'application/json'],
  ['.xml', 'application/xml'],
  ['.txt', 'text/plain'],
  ['.log', 'text/plain'],
  ['.md', 'text/markdown'],
  ['.html', 'text/html'],
  ['.tar.gz', 'application/gzip'],
  ['.tgz', 'application/gzip'],
  ['.gz', 'application/gzip'],
  ['.zip', 'application/zip'],
  ['.tar', 'application/x-tar'],
];

export function guessMediaType(path: string): string {
  const name = basename(path).toLowerCase();
  return BY_SUFFIX.find(([suffix]) => name.endsWith(suffix))?.[1] ?? 'application/octet-stream';
}
