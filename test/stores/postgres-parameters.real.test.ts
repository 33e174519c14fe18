import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PostgresClusterProps } from '../../lib/stores/postgres-cluster';
import { renderedParameters } from './support/postgres-fixtures';
import { freeLocalPort, normaliseSetting, postgresOwnedTempDir, ThrowawayServer } from './support/postgres-server';

/**
 * The Cluster's `postgresql.parameters` against a real PostgreSQL 15 (Debian's package): the
 * server must start with them and report each value back, and the same procedure must fail on a
 * misspelt parameter, which proves the check can fail.
 */
describe('rendered PostgreSQL parameters on a real PostgreSQL 15 server', () => {
  let workDir: string;
  let templateDir: string;
  const servers: ThrowawayServer[] = [];

  /** A copy of the initdb'd template, so each case starts from a clean data folder. */
  async function freshServer(name: string): Promise<ThrowawayServer> {
    const dataDir = path.join(workDir, name);
    execFileSync('cp', ['-a', templateDir, dataDir]);
    const server = new ThrowawayServer(dataDir, await freeLocalPort());
    servers.push(server);
    return server;
  }

  beforeAll(() => {
    workDir = postgresOwnedTempDir();
    templateDir = path.join(workDir, 'template');
    const init = new ThrowawayServer(templateDir, 0).initdb();
    if (init.status !== 0) {
      throw new Error(`initdb failed: ${init.output}`);
    }
  }, 120_000);

  afterAll(() => {
    for (const server of servers) {
      server.stop();
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  const sizings: [string, Partial<PostgresClusterProps>][] = [
    ['production sizing (3 instances, 8Gi, 20Gi WAL)', {}],
    ['development sizing (1 instance, 2Gi, 4Gi WAL, extra parameters)', { instances: 1, memoryMi: 2048, walStorageGi: 4, extraParameters: { statement_timeout: '30s' } }],
  ];

  test.each(sizings)('with the %s the server starts and SHOW returns every rendered value', async (_label, overrides) => {
    const parameters = renderedParameters(overrides);
    const server = await freshServer(`ok-${servers.length}`);
    server.configure(parameters);
    const start = server.start();
    expect({ status: start.status, output: start.status === 0 ? '' : start.output }).toEqual({ status: 0, output: '' });

    const names = Object.keys(parameters);
    const shown = server.show(names);
    const actual = Object.fromEntries(names.map((name, index) => [name, normaliseSetting(shown[index])]));
    const expected = Object.fromEntries(names.map((name) => [name, normaliseSetting(parameters[name])]));
    expect(actual).toEqual(expected);
    server.stop();
  }, 120_000);

  test('a misspelt parameter makes the same server refuse to start, naming the parameter', async () => {
    const { shared_buffers: sharedBuffers, ...rest } = renderedParameters();
    const server = await freshServer('misspelt');
    server.configure({ ...rest, shared_bufers: sharedBuffers });
    const start = server.start();
    expect(start.status).not.toBe(0);
    expect(start.output).toContain('unrecognized configuration parameter "shared_bufers"');
  }, 120_000);
});
