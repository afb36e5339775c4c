/**
 * The `fscache` command line as commander describes it: every command, its options with their
 * defaults, and examples, so `fscache COMMAND --help` explains everything and anything else on
 * the line is refused. The actions only gather options; `main.ts` runs them.
 */
import { Command, Option } from 'commander';
import { parseAge, parseCount, parseNumber, parseSeconds, parseSize, UsageError } from './option-values.ts';

/** What the command line asked for: a command and its checked options. */
export type Invocation =
  | { command: 'get'; url: string; cache: string; opts: GetFlags }
  | { command: 'ls' | 'stats'; cache: string; json: boolean }
  | { command: 'cull'; cache: string; limits: LimitFlags; force: boolean }
  | { command: 'limits'; cache: string; limits: LimitFlags; reset: boolean }
  | { command: 'rm'; cache: string; urls: string[] }
  | { command: 'purge'; cache: string }
  | { command: 'completion'; shell: string };

/** The options of `get`. */
export interface GetFlags {
  output?: string;
  silent: boolean;
  stats: boolean;
  freshFor?: number;
  staleIfError: boolean;
  retry: number;
  retryDelay: number;
}

/** Cache limits given on the command line; `null` clears a saved one. */
export interface LimitFlags {
  maxSize?: number | null;
  maxAge?: number | null;
  brun?: number;
  bcull?: number;
  bstop?: number;
  frun?: number;
  fcull?: number;
  fstop?: number;
}

// "none" as commander carries it (it turns a parser's null into ''): no size or age is negative.
const NONE = -1;

/** The cachefilesd limits, in the order of their help. */
export const CULL_LIMIT_NAMES = ['brun', 'bcull', 'bstop', 'frun', 'fcull', 'fstop'] as const;

const EXIT_STATUSES = `
Exit status (curl's numbers, as with curl --fail):
  0 done            2 bad arguments      5 proxy not found or unusable
  6 host not found  7 connection refused (by the server or the proxy)
  8 a malformed answer from the server   18 body cut short     22 HTTP error status (404, 5xx)
  23 output not written (or binary refused on a terminal)      28 timed out
  47 too many redirects   56 connection lost, or the proxy refused the tunnel
  60 TLS certificate not trusted
  35 TLS handshake failed   130 interrupted   1 anything else`;

/** Builds the program; `run` receives what the line asked for. */
export function buildProgram(version: string, defaultCache: string, run: (i: Invocation) => void): Command {
  const program = new Command('fscache')
    .description(
      'Fetch URLs through a persistent local cache (FS-Cache over HTTP), and look after the cache.',
    )
    .version(version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      'after',
      `
The cache directory defaults to $XDG_CACHE_HOME/fscache, else ~/.cache/fscache (here: ${defaultCache}).
Any number of fscache processes may use one cache directory at once.

Examples:
  fscache get https://example.com/big.iso -o big.iso
  fscache limits --max-size 2G --max-age 7d
  fscache ls --json`,
    );
  const cacheOption = () =>
    new Option('--cache <dir>', 'the cache directory').default(defaultCache, '$XDG_CACHE_HOME/fscache');

  program
    .command('get')
    .summary('fetch a URL through the cache to a file or stdout')
    .description(
      `Fetch URL through the cache, to a file or standard output. A cached copy is used without asking the server while HTTP's caching headers say it is fresh (Cache-Control max-age, Expires, or a tenth of its age since Last-Modified, at most a day); otherwise it is revalidated with a conditional request. The cache's saved limits (fscache limits) are kept after the fetch.`,
    )
    .argument('<url>', 'an http: or https: URL')
    .addOption(
      new Option(
        '-o, --output <file>',
        'write to FILE, or "-" for standard output (default: standard output)',
      ),
    )
    .addOption(cacheOption())
    .option('-s, --silent', 'no progress bar and no notices; errors are still printed', false)
    .option(
      '-f, --fail',
      "accepted for curl's sake: an HTTP error status always fails (exit 22), writing nothing",
    )
    .option('--stats', 'print where the bytes came from and the FS-Cache statistics on stderr', false)
    .addOption(
      new Option(
        '--fresh-for <seconds>',
        "use a cached copy the server confirmed within this many seconds without asking it; 0 asks every time (default: HTTP's caching rules)",
      ).argParser(parseSeconds),
    )
    .option('--stale-if-error', 'serve the cached copy when the server cannot be reached', false)
    .addOption(
      new Option('--retry <n>', 'retries in a row, without progress, of a transient failure')
        .default(5)
        .argParser(parseCount),
    )
    .addOption(
      new Option('--retry-delay <seconds>', 'the first retry delay, doubled for each further one')
        .default(250, '0.25')
        .argParser(parseSeconds),
    )
    .addOption(
      new Option('--max-age <age>').hideHelp().argParser(() => {
        throw new UsageError(
          '--max-age is a cache limit (fscache limits --max-age AGE); for how long a copy is trusted use --fresh-for SECONDS',
        );
      }),
    )
    .addHelpText(
      'after',
      `
Progress (size, percent, speed, time left) is drawn on stderr when it is a terminal. As curl does,
binary data is not written to a terminal unless "-o -" is given.

Proxies come from the environment, as curl takes them: http_proxy (lower case only) for http:
URLs, HTTPS_PROXY or https_proxy for https: URLs (a CONNECT tunnel; TLS stays end to end),
ALL_PROXY or all_proxy for either when its own is unset. A proxy is http://[user:pass@]host[:port]
(port 1080 when none is given; credentials are sent as Basic). NO_PROXY or no_proxy lists hosts
reached directly, separated by commas: "*", host names (covering their subdomains, a leading dot
or not), IP addresses or CIDR blocks, each optionally with ":port".
${EXIT_STATUSES}

Examples:
  fscache get https://example.com/big.iso -o big.iso
  fscache get https://example.com/notes.txt            # to stdout
  fscache get https://example.com/big.iso -o - | sha256sum
  fscache get https://example.com/app.tar --fresh-for 3600 --stale-if-error -o app.tar
  HTTPS_PROXY=http://proxy.example:3128 NO_PROXY=.internal fscache get https://example.com/f -o f`,
    )
    .action((url: string, o: Record<string, unknown>) =>
      run({
        command: 'get',
        url,
        cache: o.cache as string,
        opts: {
          ...(o.output !== undefined ? { output: o.output as string } : {}),
          silent: o.silent as boolean,
          stats: o.stats as boolean,
          ...(o.freshFor !== undefined ? { freshFor: o.freshFor as number } : {}),
          staleIfError: o.staleIfError as boolean,
          retry: o.retry as number,
          retryDelay: o.retryDelay as number,
        },
      }),
    );

  for (const name of ['ls', 'stats'] as const) {
    program
      .command(name)
      .summary(name === 'ls' ? 'list the cached URLs' : "show the cache's limits, free space and contents")
      .description(
        name === 'ls'
          ? 'List the cached URLs: size, bytes held, last use.'
          : "Show the cache's limits (saved, or the defaults), the file system's free space and what the cache holds.",
      )
      .addOption(cacheOption())
      .option('--json', 'print JSON instead of a table', false)
      .addHelpText(
        'after',
        `\nExamples:\n  fscache ${name}\n  fscache ${name} --json --cache /var/cache/fscache`,
      )
      .action((o: Record<string, unknown>) =>
        run({ command: name, cache: o.cache as string, json: o.json as boolean }),
      );
  }

  const limitOptions = (cmd: Command, forThisRun: boolean) => {
    const note = forThisRun ? ' (this run only; default: the saved limit, else none)' : ' (default: none)';
    cmd
      .addOption(
        new Option(
          '--max-size <size>',
          `keep the cache's data at most SIZE, e.g. 500M, 2G; "none" removes the limit${note}`,
        ).argParser((t) => (t === 'none' ? NONE : parseSize(t))),
      )
      .addOption(
        new Option(
          '--max-age <age>',
          `discard what was not used for AGE, e.g. 12h, 7d; "none" removes the limit${note}`,
        ).argParser((t) => (t === 'none' ? NONE : parseAge(t))),
      );
    const help: Record<(typeof CULL_LIMIT_NAMES)[number], string> = {
      brun: 'culling stops once this % of the disk is free again',
      bcull: 'culling starts when less than this % of the disk is free',
      bstop: 'no new data is cached below this % of free disk',
      frun: 'as brun, for free files (inodes)',
      fcull: 'as bcull, for free files',
      fstop: 'as bstop, for free files',
    };
    const defaults = { brun: 7, bcull: 5, bstop: 1, frun: 7, fcull: 5, fstop: 1 };
    for (const k of CULL_LIMIT_NAMES)
      cmd.addOption(
        new Option(
          `--${k} <percent>`,
          `${help[k]} (default: ${forThisRun ? 'the saved limit, else ' : ''}${defaults[k]})`,
        ).argParser(parseNumber),
      );
    return cmd;
  };
  const limitsOf = (o: Record<string, unknown>): LimitFlags => {
    const l: LimitFlags = {};
    if (o.maxSize !== undefined) l.maxSize = o.maxSize === NONE ? null : (o.maxSize as number);
    if (o.maxAge !== undefined) l.maxAge = o.maxAge === NONE ? null : (o.maxAge as number);
    for (const k of CULL_LIMIT_NAMES) if (o[k] !== undefined) l[k] = o[k] as number;
    return l;
  };

  limitOptions(
    program
      .command('limits')
      .summary("show or set the cache's saved limits, which every later get and cull keep")
      .description(
        `Show, or set and save, the limits the cache keeps. Saved in the cache directory, they hold for every later get and cull. Limits not given keep their saved value; percentages follow cachefilesd (0 <= stop < cull < run < 100, of the file system's free space), and a limit given alone moves its neighbours as needed (--bcull 20 alone culls from 20% free up to 22%).`,
      )
      .addOption(cacheOption())
      .option('--reset', 'forget every saved limit first', false),
    false,
  )
    .addHelpText(
      'after',
      '\nExamples:\n  fscache limits\n  fscache limits --max-size 2G --max-age 7d\n  fscache limits --bcull 10 --brun 15\n  fscache limits --max-size none',
    )
    .action((o: Record<string, unknown>) =>
      run({ command: 'limits', cache: o.cache as string, limits: limitsOf(o), reset: o.reset as boolean }),
    );

  limitOptions(
    program
      .command('cull')
      .summary('discard least recently used objects until the limits are met')
      .description(
        `Check the limits now and discard the least recently used objects (never one in use) until they are met: the saved limits, with any given here for this run only. Refuses limits that emptying the whole cache could not meet, unless --force.`,
      )
      .addOption(cacheOption())
      .option('--force', 'cull even when the limits cannot be met (empties the cache)', false),
    true,
  )
    .addHelpText(
      'after',
      '\nExamples:\n  fscache cull\n  fscache cull --max-size 1G\n  fscache cull --bcull 20 --brun 25',
    )
    .action((o: Record<string, unknown>) =>
      run({ command: 'cull', cache: o.cache as string, limits: limitsOf(o), force: o.force as boolean }),
    );

  program
    .command('rm')
    .summary('remove cached URLs')
    .description(
      'Remove the cached copies of the URLs given. A URL not cached is reported (exit 1); the others are removed.',
    )
    .argument('<url...>', 'the URLs, as given to get')
    .addOption(cacheOption())
    .addHelpText(
      'after',
      '\nExamples:\n  fscache rm https://example.com/big.iso\n  fscache rm https://example.com/a https://example.com/b',
    )
    .action((urls: string[], o: Record<string, unknown>) =>
      run({ command: 'rm', cache: o.cache as string, urls }),
    );

  program
    .command('purge')
    .summary('remove every cached object')
    .description('Remove every cached object (objects being written by a running get are left alone).')
    .addOption(cacheOption())
    .addHelpText('after', '\nExamples:\n  fscache purge\n  fscache purge --cache /var/cache/fscache')
    .action((o: Record<string, unknown>) => run({ command: 'purge', cache: o.cache as string }));

  program
    .command('completion')
    .summary('print a shell completion script')
    .description('Print a completion script for bash (also read by zsh with bashcompinit).')
    .argument('[shell]', 'bash', 'bash')
    .addHelpText('after', '\nExample:\n  source <(fscache completion bash)')
    .action((shell: string) => run({ command: 'completion', shell }));

  return program;
}
