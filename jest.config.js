// Tests are compiled by `npm run build` and run as JavaScript from dist/, so worker threads,
// scoring-server processes and the Temporal workflow bundler all load the same files users run.
const base = { testEnvironment: 'node', rootDir: __dirname };
module.exports = {
  projects: [
    // Fast, no services: pure logic and single-process servers.
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/dist/test/unit/**/*.test.js'] },
    // A real Temporal dev server; activities mocked.
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/dist/test/workflow/**/*.test.js'] },
    // The real @azure/arm-machinelearning SDK against the local workspace.
    { ...base, displayName: 'contract', testMatch: ['<rootDir>/dist/test/contract/**/*.test.js'] },
    // SLOW: the whole system (Temporal, Azurite, local workspace, training, scoring).
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/dist/test/e2e/**/*.test.js'] },
  ],
  testTimeout: 120000,
  // Every suite stops the servers and processes it starts (afterAll); a keep-alive socket that outlives them must
  // not keep CI waiting until its time limit.
  forceExit: true,
};
