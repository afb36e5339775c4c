#!/usr/bin/env node
// The `fscache` command. It runs the build, which `npm ci` makes (`npm run build` remakes it).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  process.stderr.write(`fscache: the package is not built (${err.message}); run "npm run build"\n`);
  process.exit(1);
}
// Ctrl-C and SIGTERM end a get cleanly: no partial output, and what was fetched stays cached.
const interrupted = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => interrupted.abort());
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupted.signal,
});
