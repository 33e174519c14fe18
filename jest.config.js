/** Tests run through @swc/jest: it strips types without type-checking (that is `npm run build`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  testTimeout: 120000,
};
