// A missing build must fail every JVM test with the fix, never skip it.
import { beforeEach } from 'vitest';
import { assertJvmFixture, jvmFixtureAvailable } from '../../src/index.js';

/**
 * Registers a beforeEach that fails each test with "run build.sh" when the jars
 * are missing, and returns whether they exist (so beforeAll can skip starting
 * the JVM and let the tests report the real cause instead of a hook error).
 */
export function requireJvmFixture(): boolean {
  beforeEach(() => assertJvmFixture());
  return jvmFixtureAvailable();
}
