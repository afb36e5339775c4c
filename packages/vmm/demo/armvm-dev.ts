/** `armvm` run from the sources (for the demo and the benchmark, which run before any build). */
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
