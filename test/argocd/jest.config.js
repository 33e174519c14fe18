const path = require('path');
const base = require('../../jest.config.js');

/**
 * The suites that run a real Argo CD (tools/argocd/) against a real control plane (tools/cluster/),
 * one at a time (each starts its own kube-apiserver, redis-server, repo server and controller).
 * The default `npm test` jest run leaves them out (jest.config.js). Build the binaries first
 * (`node --import tsx tools/argocd/build-cli.ts`) so no suite builds them inside its time-out.
 */
module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..', '..'),
  roots: ['<rootDir>/test/argocd'],
  testMatch: ['**/*.argocd.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 600000,
};
