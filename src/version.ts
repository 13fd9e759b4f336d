/** cairn's version, as the CLI and GetServerInfo report it. */
export const VERSION = '0.2.0';
