const os = require('os');
const { env } = require('process');

/**
 * Tests run through @swc/jest: it strips types without type-checking (that is `npm run build`).
 *
 * Workers: jest's default is one fewer than the cores, one on a 2-core CI machine. Two there run
 * the suite about a third faster: many suites wait on real servers, promtool or child processes
 * rather than compute, so a second worker fills the time. `JEST_WORKERS` overrides.
 */
const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Suites against a real control plane run in `npm run test:cluster` (test/cluster/jest.config.js), a phase of their own;
  // those against a real Argo CD too (test/argocd/jest.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.cluster\\.test\\.ts$', '\\.argocd\\.test\\.ts$'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  testTimeout: 120000,
  maxWorkers: env.JEST_WORKERS ? Number(env.JEST_WORKERS) : Math.max(2, cores - 1),
};
