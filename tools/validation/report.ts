import { Finding, FindingObject } from './finding';
import { describeObject } from './manifest';
import { ValidationResult } from './validate-directory';

/** The human-readable report: findings grouped by environment, file and object, then exemptions, then one summary line. */
export function formatReport(result: ValidationResult): string {
  const lines: string[] = [];
  for (const [environment, inEnvironment] of groupBy(result.findings, (finding) => finding.environment)) {
    lines.push(`environment ${environment}`);
    for (const [file, inFile] of groupBy(inEnvironment, (finding) => finding.file)) {
      lines.push(`  ${file}`);
      for (const [, ofObject] of groupBy(inFile, (finding) => String(finding.object?.documentIndex ?? 'file'))) {
        lines.push(`    ${objectHeading(ofObject[0].object)}`, ...findingTable(ofObject).map((row) => `      ${row}`));
      }
    }
    lines.push('');
  }
  if (result.exemptions.length > 0) {
    lines.push('exemptions');
    for (const exemption of result.exemptions) {
      lines.push(`  ${exemption.file} ${objectHeading(exemption.object)}: ${exemption.ruleId} (${exemption.suppressedFindings} suppressed) — ${exemption.reason}`);
    }
    lines.push('');
  }
  lines.push(summaryLine(result));
  return lines.join('\n');
}

/** The last line of the report. */
export function summaryLine(result: ValidationResult): string {
  const checked = `${result.objectCount} objects in ${result.fileCount} files across ${result.environments.length} environments (${result.environments.join(', ')})`;
  const exempted = `${result.exemptions.length} exemption${result.exemptions.length === 1 ? '' : 's'}`;
  if (result.findings.length === 0) {
    return `validate: PASS — ${checked}, no findings, ${exempted}`;
  }
  const rules = new Set(result.findings.map((finding) => finding.ruleId)).size;
  return `validate: FAIL — ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} of ${rules} rule${rules === 1 ? '' : 's'} in ${checked}, ${exempted}`;
}

/** The machine-readable report of `--json`. */
export function formatJson(result: ValidationResult): string {
  return JSON.stringify(
    {
      passed: result.findings.length === 0,
      dir: result.dir,
      environments: result.environments,
      fileCount: result.fileCount,
      objectCount: result.objectCount,
      findings: result.findings,
      exemptions: result.exemptions,
    },
    null,
    2,
  );
}

function objectHeading(object: FindingObject | undefined): string {
  return object ? `${describeObject(object)} (document ${object.documentIndex + 1})` : '(whole file)';
}

function findingTable(findings: readonly Finding[]): string[] {
  const header = ['RULE', 'PATH', 'FINDING / FIX'];
  const rows = findings.map((finding) => [finding.ruleId, finding.path ?? '-', finding.message]);
  const ruleWidth = Math.max(header[0].length, ...rows.map((row) => row[0].length));
  const pathWidth = Math.max(header[1].length, ...rows.map((row) => row[1].length));
  const line = (cells: string[]) => `${cells[0].padEnd(ruleWidth)}  ${cells[1].padEnd(pathWidth)}  ${cells[2]}`.trimEnd();
  return [line(header), ...findings.flatMap((finding, index) => [line(rows[index]), line(['', '', `fix: ${finding.fix}`])])];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  }
  return groups;
}
