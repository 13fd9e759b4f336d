import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatConfig, loadServerConfig, parseConfigFile, parseDuration, resolveSettings } from '../../src/config/server-config';

describe('server configuration', () => {
  test('defaults', () => {
    const c = loadServerConfig({}, {});
    expect(c).toMatchObject({
      listen: '127.0.0.1:9400', httpListen: '127.0.0.1:9401', drainTimeoutMs: 30_000, sessionTtlMs: 24 * 3_600_000, revalidateIntervalMs: 30 * 60_000, logLevel: 'info',
    });
    expect(c.dataDir).toMatch(/\/\.cairn$/);
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('flags win over the environment, which wins over the config file, which wins over defaults', () => {
    const file = parseConfigFile('/etc/cairn/cairn.yaml', 'listen: 10.0.0.1:9\ndataDir: data\nsessionTtl: 3h\nlogLevel: warn\nhttpListen: "off"\n', parseYaml);
    const env = { CAIRN_LISTEN: '0.0.0.0:1', CAIRN_SESSION_TTL: '2h' };
    expect(loadServerConfig({}, {}, file)).toMatchObject({ listen: '10.0.0.1:9', dataDir: '/etc/cairn/data', sessionTtlMs: 3 * 3_600_000, logLevel: 'warn' });
    expect(loadServerConfig({}, {}, file).httpListen).toBeUndefined();
    expect(loadServerConfig({}, env, file)).toMatchObject({ listen: '0.0.0.0:1', sessionTtlMs: 7_200_000, logLevel: 'warn' });
    expect(loadServerConfig({ listen: '127.0.0.1:5', dataDir: '/tmp/y' }, env, file)).toMatchObject({ listen: '127.0.0.1:5', dataDir: '/tmp/y' });
  });

  test('JSON files work too; unknown keys, nested values and broken files are refused by name', () => {
    expect(loadServerConfig({}, {}, parseConfigFile('c.json', '{"drainTimeout": "5s"}', parseYaml)).drainTimeoutMs).toBe(5000);
    expect(() => parseConfigFile('c.yaml', 'lisen: 1.2.3.4:5\n', parseYaml)).toThrow('c.yaml: unknown setting "lisen" (known: listen, httpListen');
    expect(() => parseConfigFile('c.yaml', 'tlsCert: [a, b]\n', parseYaml)).toThrow('c.yaml: tlsCert must be a single value');
    expect(() => parseConfigFile('c.yaml', 'listen: [\n', parseYaml)).toThrow('c.yaml: not valid YAML or JSON');
    expect(() => parseConfigFile('c.yaml', '- a\n', parseYaml)).toThrow('want a mapping of settings');
    expect(parseConfigFile('c.yaml', '', parseYaml).values).toEqual({});
  });

  test.each([
    [{ listen: 'nohost' }, 'listen address (--listen / CAIRN_LISTEN / listen in a config file): "nohost" is not host:port'],
    [{ listen: 'h:99999' }, 'listen address'],
    [{ httpListen: 'x' }, 'HTTP listen address (--http-listen / CAIRN_HTTP_LISTEN'],
    [{ httpPublicUrl: 'ftp://x' }, 'HTTP public URL (--http-public-url'],
    [{ tlsCert: 'c.pem' }, 'TLS needs both'],
    [{ tlsClientCa: 'ca.pem' }, 'client certificate CA (--tls-client-ca / CAIRN_TLS_CLIENT_CA / tlsClientCa in a config file) needs TLS'],
    [{ logLevel: 'loud' }, 'log level (--log-level / CAIRN_LOG_LEVEL / logLevel in a config file) must be one of'],
    [{ sessionTtl: '5 parsecs' }, 'session TTL (--session-ttl / CAIRN_SESSION_TTL'],
    [{ revalidateInterval: 'often' }, 'revalidation interval (--revalidate-interval / CAIRN_REVALIDATE_INTERVAL'],
    [{ drainTimeout: 'soon' }, 'drain timeout (--drain-timeout / CAIRN_DRAIN_TIMEOUT'],
    [{ masterKey: 'c2hvcnQ=' }, 'master key (CAIRN_MASTER_KEY / masterKey in a config file) must be the base64 of 32 bytes'],
  ])('bad value %j names its setting', (flags, setting) => {
    expect(() => loadServerConfig(flags, {})).toThrow(setting);
  });

  test('the master key may be inline (env or file), never both with a key file, and its value is never echoed', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadServerConfig({}, { CAIRN_MASTER_KEY: key }).masterKey).toEqual(Buffer.alloc(32, 7));
    expect(() => loadServerConfig({ masterKeyFile: '/k' }, { CAIRN_MASTER_KEY: key })).toThrow('not both');
    const bad = 'bm90LWEta2V5LXNlY3JldC12YWx1ZQ==';
    expect(() => loadServerConfig({}, { CAIRN_MASTER_KEY: bad })).toThrow(expect.objectContaining({ message: expect.not.stringContaining(bad) }));
  });

  test('--print-config shows each value and where it came from, with secrets masked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
    try {
      const file = parseConfigFile(join(dir, 'cairn.yaml'), 'logLevel: debug\nmasterKey: c2VjcmV0LWtleS1tYXRlcmlhbC0zMi1ieXRlcyEhISE=\n', parseYaml);
      const text = formatConfig(resolveSettings({ listen: '127.0.0.1:7' }, { CAIRN_DRAIN_TIMEOUT: '10s' }, file));
      expect(text).toContain('listen: "127.0.0.1:7"  # flag --listen');
      expect(text).toContain('drainTimeout: "10s"  # env CAIRN_DRAIN_TIMEOUT');
      expect(text).toContain(`logLevel: "debug"  # ${join(dir, 'cairn.yaml')}`);
      expect(text).toContain('httpListen: "127.0.0.1:9401"  # default');
      expect(text).toContain('masterKey: "[redacted]"');
      expect(text).not.toContain('c2VjcmV0');
      expect(text).toContain('# tlsCert: (not set)');
      // What it prints is itself a valid config file.
      expect(() => parseConfigFile('printed.yaml', text.replace(/^masterKey.*$/m, ''), parseYaml)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('durations', () => {
    expect(parseDuration('90s', 'x')).toBe(90_000);
    expect(parseDuration('7d', 'x')).toBe(7 * 86_400_000);
    expect(() => parseDuration('0s', 'x')).toThrow('x:');
  });
});
