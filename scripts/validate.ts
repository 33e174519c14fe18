/**
 * The validation gate: `npm run validate [-- DIR] [--json]`. Exit 0 only with zero findings,
 * 1 with findings, 2 when the input cannot be validated (the message says why, without a stack trace).
 */
import { PROJECT_DIST_DIR } from '../tools/validation/freshness';
import { ValidationInputError } from '../tools/validation/input-error';
import { formatJson, formatReport } from '../tools/validation/report';
import { validateDirectory } from '../tools/validation/validate-directory';

const USAGE = 'usage: npm run validate [-- DIR] [--json]   (DIR defaults to dist/)';

interface Arguments {
  readonly dir: string;
  readonly json: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const flags = argv.filter((argument) => argument.startsWith('-'));
  const positional = argv.filter((argument) => !argument.startsWith('-'));
  const unknown = flags.filter((flag) => flag !== '--json');
  if (unknown.length > 0 || positional.length > 1) {
    throw new ValidationInputError(`unexpected argument ${unknown[0] ?? positional[1]}; ${USAGE}`);
  }
  return { dir: positional[0] ?? PROJECT_DIST_DIR, json: flags.includes('--json') };
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArguments(process.argv.slice(2));
  const result = await validateDirectory(args.dir);
  console.log(args.json ? formatJson(result) : formatReport(result));
  return result.findings.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const kind = error instanceof ValidationInputError ? 'error' : 'internal error';
    console.error(`validate: ${kind}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
