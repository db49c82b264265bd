/**
 * Test tiers that need a real service read its URL from the environment.
 * Without it the tier skips with its reason, unless HUSH_TEST_REQUIRE_ALL=1
 * (set by .ci/run), where a tier that would skip fails instead.
 */
export const requireAll = process.env.HUSH_TEST_REQUIRE_ALL === '1';

export interface ServiceTier {
  url: string | undefined;
  /** True when the tier must be skipped (its reason is in `reason`). */
  skip: boolean;
  reason: string;
}

export function serviceTier(variable: 'HUSH_TEST_DATABASE_URL' | 'HUSH_TEST_REDIS_URL'): ServiceTier {
  const url = process.env[variable];
  if (url !== undefined && url !== '') return { url, skip: false, reason: '' };
  const reason = `${variable} is not set`;
  if (requireAll) throw new Error(`HUSH_TEST_REQUIRE_ALL=1 but ${reason}: this tier may not skip`);
  return { url: undefined, skip: true, reason };
}

export function postgresTier(): ServiceTier {
  return serviceTier('HUSH_TEST_DATABASE_URL');
}

export function redisTier(): ServiceTier {
  return serviceTier('HUSH_TEST_REDIS_URL');
}
