// collector/image/Dockerfile (the recipe for people with a container builder)
// says the same as the image collector/build.sh writes without a daemon: the
// same entrypoint, arguments, environment, user, working directory and port,
// and it puts the binary, the configs, the CA bundle and the passwd entries
// where the image has them. The recipe is not built here (no Docker daemon).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { collectorDir, collectorImageLayout, readOciImage } from '../src/index.js';

const dockerfile = readFileSync(join(collectorDir, 'image/Dockerfile'), 'utf8');
/** The final stage's instructions (after the last FROM), continuation lines joined. */
const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
const lastFrom = lines.map((line) => line.startsWith('FROM ')).lastIndexOf(true);
const finalStage = lines.slice(lastFrom).filter((line) => line.trim() && !line.startsWith('#'));
const instruction = (name: string) => finalStage.filter((line) => line.startsWith(`${name} `)).map((line) => line.slice(name.length + 1).trim());
const image = readOciImage(collectorImageLayout());

test('the Dockerfile builds FROM scratch with the image config: entrypoint, args, env, user, workdir, exposed port', () => {
  expect(instruction('FROM')).toEqual(['scratch']);
  expect(JSON.parse(instruction('ENTRYPOINT')[0]!)).toEqual(image.config.Entrypoint);
  expect(JSON.parse(instruction('CMD')[0]!)).toEqual(image.config.Cmd);
  expect(instruction('ENV')).toEqual(image.config.Env);
  expect(instruction('USER')).toEqual([image.config.User]);
  expect(instruction('WORKDIR')).toEqual([image.config.WorkingDir]);
  expect(instruction('EXPOSE').map((port) => `${port}/tcp`)).toEqual(Object.keys(image.config.ExposedPorts ?? {}));
  expect({ os: image.os, architecture: image.architecture }).toEqual({ os: 'linux', architecture: 'amd64' });
});

test('the Dockerfile puts every file where the image has it', () => {
  const listing = image.layers.flatMap((layer) => execFileSync('tar', ['-tzf', layer.path], { encoding: 'utf8' }).split('\n').filter((name) => name && !name.endsWith('/')));
  const configs = readdirSync(join(collectorDir, 'config')).filter((name) => name.endsWith('.yaml')).map((name) => `etc/otelcol/${name}`);
  expect(new Set(listing)).toEqual(new Set(['usr/bin/otelcol', ...configs, 'etc/ssl/certs/ca-certificates.crt', 'etc/passwd', 'etc/group']));
  expect(instruction('COPY')).toEqual(['--from=rootfs /rootfs/ /', '--from=build /out/otelcol /usr/bin/otelcol', 'collector/config/*.yaml /etc/otelcol/']);
  // The rootfs stage writes the CA bundle, /tmp and the passwd/group lines the image carries.
  const layer = image.layers[0]!.path;
  const passwd = execFileSync('tar', ['-xzOf', layer, 'etc/passwd'], { encoding: 'utf8' });
  const group = execFileSync('tar', ['-xzOf', layer, 'etc/group'], { encoding: 'utf8' });
  const printed = [...dockerfile.matchAll(/printf '([^']*)'/g)].map((m) => m[1]!.replaceAll('\\n', '\n'));
  expect(printed).toEqual([passwd, group]);
  expect(dockerfile).toContain('/rootfs/etc/ssl/certs/ca-certificates.crt');
  expect(dockerfile).toContain('chmod 1777 /rootfs/tmp');
  // The binary is built from the same pinned manifest with the same builder version as collector/build.sh.
  expect(dockerfile).toContain(`builder@${/BUILDER_VERSION=(v[\d.]+)/.exec(readFileSync(join(collectorDir, 'build.sh'), 'utf8'))![1]}`);
  expect(dockerfile).toContain('CGO_ENABLED=0 GOOS=linux GOARCH=amd64');
});
