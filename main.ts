import { parseArgs } from 'util';
import { ConfigError } from './lib/config/config-error';
import { synthesize } from './synth/synthesize';

// `cdk8s synth` passes its output folder in CDK8S_OUTDIR; `npm run synth` writes dist/.
const DEFAULT_OUT_DIR = process.env.CDK8S_OUTDIR || 'dist';

function main(): number {
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
  try {
    const result = synthesize({ outDir: args.out!, environments: args.env, previews: args.preview });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`synth: wrote ${result.files.length} files for ${describeTarget(args.env, args.preview)} into ${args.out}/ in ${ms.toFixed(0)} ms`);
    return 0;
  } catch (error) {
    // Config and construct errors are written for the person who ran synth: one line, no stack.
    console.error(`synth failed, ${args.out}/ left unchanged: ${(error as Error).message}`);
    if (!(error instanceof ConfigError) && process.env.SYNTH_DEBUG) {
      console.error((error as Error).stack);
    }
    return 1;
  }
}

function describeTarget(environments?: string[], previews?: string[]): string {
  if (previews?.length) {
    return previews.length > 3 ? `${previews.length} previews` : `preview ${previews.join(', ')}`;
  }
  return environments?.join(', ') ?? 'all environments';
}

process.exitCode = main();
