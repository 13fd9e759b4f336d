import { ProviderId } from './ports';

export const ROLES = ['admin', 'uploader', 'downloader'] as const;
export type Role = (typeof ROLES)[number];

/** admin ⊇ uploader ⊇ downloader: an uploader may also read back what it wrote. */
const ROLE_RANK: Record<Role, number> = { downloader: 1, uploader: 2, admin: 3 };

export function roleAllows(have: Role, need: Role): boolean {
  return ROLE_RANK[have] >= ROLE_RANK[need];
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** Who is calling: established by the auth layer from a verified token. */
export interface Caller {
  readonly orgId: string;
  readonly role: Role;
  readonly tokenId: string;
}

export type ValidationStatus = 'OK' | 'INVALID' | 'UNKNOWN';

export interface Backend {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly provider: ProviderId;
  readonly location: string;
  readonly description: string;
  /** Largest blob accepted; null for no limit. */
  readonly maxBytes: number | null;
  readonly isDefault: boolean;
  readonly status: ValidationStatus;
  readonly statusError: string;
  readonly validatedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
}

export interface BlobRecord {
  readonly orgId: string;
  readonly backendId: string;
  readonly hex: string;
  readonly size: number;
  readonly filename: string;
  readonly mediaType: string;
  readonly createdAt: Date;
}

export interface TokenRecord {
  readonly id: string;
  readonly orgId: string;
  readonly role: Role;
  readonly description: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
}

export const INLINE_MAX_BYTES = 500 * 1024;
