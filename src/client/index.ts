export { CairnClient } from './cairn-client';
export type { UploadResult } from './cairn-client';
export { DEFAULT_SERVER, describeError, TRANSPORTS } from './connection';
export type { ConnectionOptions, Transport } from './connection';
export { safeFilename } from './safe-filename';
export { HttpTransferError } from './http-transfer';
export { Role } from '../../generated/cairn/auth/v1/token';
