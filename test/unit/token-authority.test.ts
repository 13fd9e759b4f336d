import { randomBytes } from 'node:crypto';
import { TokenAuthority } from '../../src/core/token-authority';
import { Store } from '../../src/store';

function setup() {
  const store = Store.open(':memory:');
  const org = store.orgs.create('acme');
  return { store, org, authority: new TokenAuthority(randomBytes(32), store) };
}

describe('TokenAuthority', () => {
  test('issues tokens that verify to the org, role and id, storing no bearer string', () => {
    const { store, org, authority } = setup();
    const { token, id } = authority.issue(org.id, 'uploader', 60_000, 'ci');
    expect(authority.verify(token)).toEqual({ orgId: org.id, role: 'uploader', tokenId: id });
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM tokens').all());
    expect(dump).not.toContain(token.split('.')[2]);
  });

  test('refuses tokens signed with another key', () => {
    const { store, org, authority } = setup();
    const other = new TokenAuthority(randomBytes(32), store);
    const { token } = other.issue(org.id, 'admin', 60_000);
    expect(() => authority.verify(token)).toThrow('invalid token signature');
  });

  test('refuses expired and revoked tokens', () => {
    const { store, org, authority } = setup();
    const { token, id } = authority.issue(org.id, 'admin', 60_000);
    expect(() => authority.verify(token, Date.now() + 61_000)).toThrow('token expired');
    store.tokens.revoke(id, new Date());
    expect(() => authority.verify(token)).toThrow('token revoked');
  });

  test('refuses a token whose record is gone', () => {
    const { store, org, authority } = setup();
    const { token } = authority.issue(org.id, 'admin', 60_000);
    store.db.prepare('DELETE FROM tokens').run();
    expect(() => authority.verify(token)).toThrow('unknown token');
  });

  test('refuses keys shorter than 32 bytes', () => {
    expect(() => new TokenAuthority(randomBytes(16), Store.open(':memory:'))).toThrow('at least 32 bytes');
  });
});
