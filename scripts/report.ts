/**
 * `npm run report [-- DIR] [--json]`: from the rendered manifests (DIR defaults to dist/), the
 * worst-case release time of every workload per environment, then each environment's capacity
 * (peak requests against the quota and the node pool), RPO and RTO per failure and store or
 * service, and the 99.9% availability budget. Exit 0 when production keeps every promise of the
 * specification (release <= 300 s per workload, RTO < 15 min, RPO < 5 min, 99.9%), 1 when one
 * breaks (the output names the setting), 2 when the input cannot be read.
 */
import * as path from 'path';
import { buildDeployTimeReport, deployTimeReportJson, formatDeployTimeReport } from '../tools/reporting/deploy-time-report';
import { ENVIRONMENTS } from '../lib/config/environments';
import { loadRenderedFolder } from '../tools/reporting/manifests';
import { buildReliabilityReport, formatReliabilityReport, reliabilityReportJson } from '../tools/reporting/reliability-report';

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
  const objects = loadRenderedFolder(dir);
  const report = buildDeployTimeReport(objects);
  const reliability = buildReliabilityReport(objects, ENVIRONMENTS);
  if (argv.includes('--json')) {
    // The release-time fields stay where they were; the reliability report is one more key.
    console.log(JSON.stringify({ ...JSON.parse(deployTimeReportJson(report)), reliability: reliabilityReportJson(reliability) }, null, 2));
  } else {
    console.log(`${formatDeployTimeReport(report)}\n\n${formatReliabilityReport(reliability)}`);
  }
  return report.withinBudget && reliability.withinSpecification ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`report: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
