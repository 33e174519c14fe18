import * as path from 'path';
import { parseArgs } from 'util';

/** Exit codes of a process stopped by a signal, as shells report them. */
const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

// `cdk8s synth` passes its output folder in CDK8S_OUTDIR; `npm run synth` writes dist/.
const DEFAULT_OUT_DIR = process.env.CDK8S_OUTDIR || 'dist';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        env: { type: 'string', multiple: true },
        preview: { type: 'string', multiple: true },
        out: { type: 'string', default: DEFAULT_OUT_DIR },
      },
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`synth: ${(error as Error).message}. Usage: npm run synth [-- --env <name>]... [--preview <id>]... [--out <folder>]`);
    return 2;
  }
  if (args.env?.length && args.preview?.length) {
    console.error('synth: --env and --preview select different outputs; give one of them');
    return 2;
  }
  const started = process.hrtime.bigint();
  const stop = stopOnSignalOrOrphaned();
  try {
    // Loaded here, not imported above: a syntax error in a config file then fails as one line.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthesize } = require('./synth/synthesize') as typeof import('./synth/synthesize');
    const result = await synthesize({ outDir: args.out!, environments: args.env, previews: args.preview, signal: stop.signal });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`synth: wrote ${result.files.length} files for ${describeTarget(args.env, args.preview)} into ${args.out}/ in ${ms.toFixed(0)} ms`);
    return 0;
  } catch (error) {
    if (stop.signal.aborted) {
      console.error(`synth stopped (${stop.signal.reason}), ${args.out}/ left unchanged`);
      return SIGNAL_EXIT_CODES[stop.signal.reason as string] ?? 1;
    }
    // Config and construct errors are written for the person who ran synth: one line, no stack.
    console.error(`synth failed, ${args.out}/ left unchanged: ${oneLine(error as Error)}`);
    if ((error as Error).name !== 'ConfigError' && process.env.SYNTH_DEBUG) {
      console.error((error as Error).stack);
    }
    return 1;
  } finally {
    stop.dispose();
  }
}

/**
 * Aborts on Ctrl-C, SIGTERM or SIGHUP, and when the parent process is gone (`npm run synth`'s npm
 * was killed and this process was left to run on its own): the write stops at its next file and
 * the output folder keeps its old content.
 */
function stopOnSignalOrOrphaned(): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = Object.keys(SIGNAL_EXIT_CODES).map((name) => {
    const handler = () => controller.abort(name);
    process.once(name, handler);
    return [name, handler] as const;
  });
  const parent = process.ppid;
  const watch = setInterval(() => process.ppid !== parent && controller.abort('parent process gone'), 100);
  watch.unref();
  return {
    signal: controller.signal,
    dispose: () => {
      clearInterval(watch);
      handlers.forEach(([name, handler]) => process.off(name, handler));
    },
  };
}

/** The error as one line; a TypeScript syntax error (esbuild's, through tsx) as `file:line:column: message`. */
function oneLine(error: Error): string {
  const syntax = error.message.match(/Transform failed with \d+ errors?:\n(.+?):(\d+):(\d+): ERROR: (.*)/);
  if (syntax) {
    const [, file, line, column, message] = syntax;
    return `${path.relative(process.cwd(), file)}:${line}:${column}: syntax error: ${message}. Fix: correct the TypeScript there (npm run build shows every error)`;
  }
  return error.message;
}

function describeTarget(environments?: string[], previews?: string[]): string {
  if (previews?.length) {
    return previews.length > 3 ? `${previews.length} previews` : `preview ${previews.join(', ')}`;
  }
  return environments?.join(', ') ?? 'all environments';
}

main().then((code) => {
  process.exitCode = code;
});
