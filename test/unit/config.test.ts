import { loadServerConfig, parseDuration } from '../../src/config/server-config';

describe('server configuration', () => {
  test('defaults', () => {
    const c = loadServerConfig({}, {});
    expect(c).toMatchObject({ listen: '127.0.0.1:9400', sessionTtlMs: 24 * 3_600_000, revalidateIntervalMs: 30 * 60_000, logLevel: 'info' });
    expect(c.dataDir).toMatch(/\/\.cairn$/);
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('flags win over the environment, which wins over defaults', () => {
    const env = { CAIRN_LISTEN: '0.0.0.0:1', CAIRN_DATA_DIR: '/tmp/x', CAIRN_SESSION_TTL: '2h' };
    expect(loadServerConfig({}, env)).toMatchObject({ listen: '0.0.0.0:1', dataDir: '/tmp/x', sessionTtlMs: 7_200_000 });
    expect(loadServerConfig({ listen: '127.0.0.1:5', dataDir: '/tmp/y' }, env)).toMatchObject({ listen: '127.0.0.1:5', dataDir: '/tmp/y' });
  });

  test.each([
    [{ listen: 'nohost' }, 'listen address (--listen / CAIRN_LISTEN)'],
    [{ listen: 'h:99999' }, 'listen address'],
    [{ tlsCert: 'c.pem' }, 'TLS needs both'],
    [{ logLevel: 'loud' }, 'log level (--log-level / CAIRN_LOG_LEVEL)'],
    [{ sessionTtl: '5 parsecs' }, 'session TTL (--session-ttl / CAIRN_SESSION_TTL)'],
    [{ revalidateInterval: 'often' }, 'revalidation interval (--revalidate-interval / CAIRN_REVALIDATE_INTERVAL)'],
  ])('bad value %j names its setting', (flags, setting) => {
    expect(() => loadServerConfig(flags, {})).toThrow(setting);
  });

  test('durations', () => {
    expect(parseDuration('90s', 'x')).toBe(90_000);
    expect(parseDuration('7d', 'x')).toBe(7 * 86_400_000);
    expect(() => parseDuration('0s', 'x')).toThrow('x:');
  });
});
