// The pages' policy, as a function: the one place a page may call besides its own origin is the
// Supabase project its sign-in form talks to.
import { describe, expect, it } from 'vitest';
import { pagePolicy } from '../../src/http/security-headers.ts';

const directives = (policy: string) => new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('the pages’ Content-Security-Policy', () => {
  it('runs only scripts with the nonce, frames nothing and is framed by nobody', () => {
    const policy = directives(pagePolicy('abc123'));
    expect(policy.get('script-src')).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
  });

  it('lets pages call the Supabase project (its origin only), and nothing for a malformed URL', () => {
    expect(directives(pagePolicy('n', 'https://abcd.supabase.co/auth/v1')).get('connect-src')).toEqual([
      "'self'",
      'https://abcd.supabase.co',
    ]);
    expect(directives(pagePolicy('n', 'not a url')).get('connect-src')).toEqual(["'self'"]);
  });
});
