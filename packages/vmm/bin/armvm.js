#!/usr/bin/env node
// The `armvm` command. It runs the build, which `npm ci` makes (`npm run build` remakes it).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  process.stderr.write(`armvm: the package is not built (${err.message}); run "npm run build"\n`);
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
