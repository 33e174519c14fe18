const path = require('path');
const base = require('../../jest.config.js');

/**
 * `npm run test:cluster`: the suites that run a real control plane (tools/cluster/), one at a time
 * (each starts its own kube-apiserver; two side by side on 2 cores only slow each other down).
 * The default `npm test` jest run leaves them out (jest.config.js); scripts/test.sh runs them as a phase of their own.
 */
module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..', '..'),
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 600000,
};
