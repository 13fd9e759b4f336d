import { Backend } from '../../../../generated/cairn/cas/v1/cas_backend';
import { CairnClient } from '../../../client';
import { INLINE_MAX_BYTES } from '../../../domain/model';
import { CliError } from '../../common';
import { formatBytes } from '../../progress';

/** Where a piece of evidence goes: embedded in the attestation (up to a cap), or a CAS backend. */
export type Target =
  | { readonly inline: true; readonly cap: number; readonly why: 'flag' | 'default' | 'backend' }
  | { readonly inline: false; readonly backend: string; readonly provider: string };

/** `--inline`, else `--backend`, else the organisation's default, looked up now. */
export async function resolveTarget(client: CairnClient, opts: { backend?: string; inline?: boolean }): Promise<Target> {
  const { backends } = await client.listBackends();
  const cap = (b?: Backend) => (b?.maxBytes ? b.maxBytes : INLINE_MAX_BYTES);
  const inlineBackend = backends.find((b) => b.provider === 'inline');
  if (opts.inline) return { inline: true, cap: cap(inlineBackend), why: 'flag' };
  const chosen = opts.backend ? backends.find((b) => b.name === opts.backend) : backends.find((b) => b.default);
  if (!chosen) {
    throw new CliError(opts.backend ? `backend "${opts.backend}" not found in your organisation ('cairn cas-backend list' shows them)` : 'your organisation has no default backend');
  }
  if (chosen.provider === 'inline') return { inline: true, cap: cap(chosen), why: opts.backend ? 'backend' : 'default' };
  return { inline: false, backend: chosen.name, provider: chosen.provider };
}

/** The error for a piece too large to embed, saying how to get a backend that can hold it. */
export function tooLargeForInline(what: string, size: number, target: Extract<Target, { inline: true }>): CliError {
  const reason = target.why === 'flag' ? 'drop --inline to store it in the CAS' : `the ${target.why === 'default' ? "organisation's default backend" : 'chosen backend'} is inline, so evidence is embedded in the attestation`;
  return new CliError(
    `${what} is ${formatBytes(size)}, over the ${formatBytes(target.cap)} inline cap (${reason}). ` +
      "Store larger evidence in the CAS: add a backend with 'cairn cas-backend add aws-s3|azure-blob|oci …' and make it the default " +
      "with 'cairn cas-backend set-default <name>', or pass --backend <name>",
  );
}
