import { Store } from '../store';

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
}

/** A validation this much older than the revalidation interval still counts (a round takes up to a provider timeout). */
export const READINESS_SLACK_MS = 60_000;

/**
 * Whether this server should take traffic: its database answers, every organisation's default
 * backend passed its write-permission check within the revalidation window, and it is not
 * draining. /readyz and grpc.health.v1 both report this.
 */
export class Readiness {
  private draining = false;

  constructor(
    private readonly store: Store,
    private readonly windowMs: number,
  ) {}

  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  check(now = Date.now()): ReadinessReport {
    const checks: ReadinessCheck[] = [];
    if (this.draining) checks.push({ name: 'server', ok: false, detail: 'draining: shutting down' });
    let dbOk = true;
    try {
      this.store.db.prepare('SELECT 1').get();
      checks.push({ name: 'database', ok: true, detail: '' });
    } catch (e) {
      dbOk = false;
      checks.push({ name: 'database', ok: false, detail: (e as Error).message });
    }
    if (dbOk) {
      for (const b of this.store.backends.listAll().filter((x) => x.isDefault && !x.deletedAt)) {
        const name = `backend ${this.orgName(b.orgId)}/${b.name}`;
        if (b.provider === 'inline') checks.push({ name, ok: true, detail: 'inline: nothing to check' });
        else if (b.status !== 'OK') checks.push({ name, ok: false, detail: b.status === 'INVALID' ? `validation failed: ${b.statusError}` : 'not validated yet' });
        else if (!b.validatedAt || now - b.validatedAt.getTime() > this.windowMs + READINESS_SLACK_MS) {
          checks.push({ name, ok: false, detail: `last validated ${b.validatedAt?.toISOString() ?? 'never'}, outside the revalidation window` });
        } else checks.push({ name, ok: true, detail: `validated ${b.validatedAt.toISOString()}` });
      }
    }
    return { ready: checks.every((c) => c.ok), checks };
  }

  private orgName(orgId: string): string {
    return this.store.orgs.byId(orgId)?.name ?? orgId;
  }
}
