// Where build.sh puts the JVM artifacts, and the check every entry point runs first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture's folder (test-fixtures/kotlin-backend). */
export const fixtureDir = fileURLToPath(new URL('..', import.meta.url));

/** The fat jar built by `build.sh`. */
export const jarPath = join(fixtureDir, 'target', 'kotlin-backend.jar');

/** The pinned OpenTelemetry Java agent, copied (not shaded) by `build.sh`. */
export const agentPath = join(fixtureDir, 'target', 'otel', 'opentelemetry-javaagent.jar');

/**
 * True when both the fixture jar and the agent jar exist.
 * Tests must not skip on false: they fail with {@link assertJvmFixture}'s message.
 */
export function jvmFixtureAvailable(): boolean {
  return existsSync(jarPath) && existsSync(agentPath);
}

/** Throws an error that says how to build the fixture when a jar is missing. */
export function assertJvmFixture(): void {
  const missing = [jarPath, agentPath].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `Kotlin fixture is not built (missing ${missing.join(', ')}). ` +
        'Run `bash test-fixtures/kotlin-backend/build.sh` (Java 17 + Maven) first; CI runs it before the tests.',
    );
  }
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, 'bin', 'java') : 'java';
}
