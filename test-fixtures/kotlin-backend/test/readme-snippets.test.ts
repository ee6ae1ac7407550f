// packages/tenant/README.md tells a Kotlin team what to add for log lines Cloud
// Logging joins to the trace. Its snippets must be what the fixture runs: the
// logback.xml byte for byte, each Maven dependency at the version pom.xml resolves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir } from '../src/paths.js';

const readme = readFileSync(join(fixtureDir, '..', '..', 'packages', 'tenant', 'README.md'), 'utf8');
const pom = readFileSync(join(fixtureDir, 'pom.xml'), 'utf8');
const section = readme.slice(readme.indexOf('## Kotlin log lines that Cloud Logging joins to the trace'));

/** The ```xml blocks of the section. */
function xmlBlocks(): string[] {
  return [...section.matchAll(/```xml\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

interface Coordinates {
  groupId: string;
  artifactId: string;
  version: string;
}

/** `<dependency>` elements of [xml], `${property}` versions resolved against [properties]. */
function dependencies(xml: string, properties: Record<string, string> = {}): Coordinates[] {
  return [...xml.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)].map(([, body]) => {
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body!)?.[1] ?? '';
    const version = field('version').replace(/^\$\{([^}]+)\}$/, (_, name: string) => properties[name] ?? `unresolved ${name}`);
    return { groupId: field('groupId'), artifactId: field('artifactId'), version };
  });
}

function pomProperties(): Record<string, string> {
  const block = /<properties>([\s\S]*?)<\/properties>/.exec(pom)![1]!;
  return Object.fromEntries([...block.matchAll(/<([\w.-]+)>([^<]*)<\/\1>/g)].map(([, name, value]) => [name!, value!]));
}

describe('packages/tenant/README.md, Kotlin log lines section', () => {
  it('shows the fixture\'s logback.xml exactly', () => {
    const logback = readFileSync(join(fixtureDir, 'src', 'main', 'resources', 'logback.xml'), 'utf8');
    const shown = xmlBlocks().filter((block) => block.includes('<configuration>'));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toBe(logback);
  });

  it('lists dependencies the fixture\'s pom.xml declares, at the versions it resolves', () => {
    const listed = xmlBlocks().flatMap((block) => dependencies(block));
    expect(listed.map((d) => d.artifactId).sort()).toEqual(['logback-classic', 'logstash-logback-encoder']);
    const declared = dependencies(pom, pomProperties());
    for (const dependency of listed) expect(declared).toContainEqual(dependency);
  });

  it('names the agent switch the fixture sets', async () => {
    const { agentProperties } = await import('../src/jvm-flags.js');
    expect(agentProperties['otel.instrumentation.logback-mdc.enabled']).toBe('true');
    expect(section).toContain('-Dotel.instrumentation.logback-mdc.enabled=true');
  });
});
