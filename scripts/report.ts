/**
 * `npm run report [-- DIR] [--json]`: the worst-case release time of every workload per environment,
 * from the rendered manifests (DIR defaults to dist/). Exit 0 when every environment with a budget
 * (production: 300 s per workload) is within it, 1 when one is over, 2 when the input cannot be read.
 */
import * as path from 'path';
import { buildDeployTimeReport, deployTimeReportJson, formatDeployTimeReport } from '../tools/reporting/deploy-time-report';
import { loadRenderedFolder } from '../tools/reporting/manifests';

const USAGE = 'usage: npm run report [-- DIR] [--json]   (DIR defaults to dist/)';

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((argument) => argument.startsWith('-') && argument !== '--json');
  const positional = argv.filter((argument) => !argument.startsWith('-'));
  if (unknown.length > 0 || positional.length > 1) {
    throw new Error(`unexpected argument ${unknown[0] ?? positional[1]}; ${USAGE}`);
  }
  const dir = positional[0] ?? path.resolve(__dirname, '..', 'dist');
  const report = buildDeployTimeReport(loadRenderedFolder(dir));
  console.log(argv.includes('--json') ? deployTimeReportJson(report) : formatDeployTimeReport(report));
  return report.withinBudget ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`report: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
