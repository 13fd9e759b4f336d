/** The kinds of evidence `cairn attestation add` knows, with their media types and checks. */
export const MATERIAL_KINDS = ['artifact', 'sbom-cyclonedx', 'sbom-spdx', 'junit', 'string'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

export const MEDIA_TYPES: Record<MaterialKind, string> = {
  artifact: 'application/octet-stream',
  'sbom-cyclonedx': 'application/vnd.cyclonedx+json',
  'sbom-spdx': 'application/spdx+json',
  junit: 'application/xml',
  string: 'text/plain; charset=utf-8',
};

export function isMaterialKind(s: string): s is MaterialKind {
  return (MATERIAL_KINDS as readonly string[]).includes(s);
}

/** Checks that the bytes are what their kind claims; throws a message that says what is wrong. */
export function checkMaterial(kind: MaterialKind, bytes: Buffer): void {
  switch (kind) {
    case 'sbom-cyclonedx': {
      const doc = parseJson(bytes, 'a CycloneDX SBOM') as { bomFormat?: unknown; specVersion?: unknown };
      if (doc.bomFormat !== 'CycloneDX' || typeof doc.specVersion !== 'string') throw new Error('not a CycloneDX JSON SBOM: want bomFormat "CycloneDX" and a specVersion');
      return;
    }
    case 'sbom-spdx': {
      const doc = parseJson(bytes, 'an SPDX SBOM') as { spdxVersion?: unknown; SPDXID?: unknown };
      if (typeof doc.spdxVersion !== 'string' || !doc.spdxVersion.startsWith('SPDX-')) throw new Error('not an SPDX JSON SBOM: want spdxVersion "SPDX-x.y"');
      return;
    }
    case 'junit': {
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '').trimStart();
      const body = text.startsWith('<?xml') ? text.slice(text.indexOf('?>') + 2).trimStart() : text;
      if (!/^(<!--[\s\S]*?-->\s*)*<(testsuites|testsuite)[\s>/]/.test(body)) throw new Error('not a JUnit XML report: want a <testsuites> or <testsuite> root');
      return;
    }
    case 'artifact':
    case 'string':
      return;
  }
}

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error();
    return v as Record<string, unknown>;
  } catch {
    throw new Error(`not ${what}: the file does not parse as a JSON object`);
  }
}
