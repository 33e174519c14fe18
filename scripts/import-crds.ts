import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as YAML from 'yaml';
import { findLockEntry, PROJECT_ROOT, readSchemaLock, resolveLockedFile } from '../tools/schemas/schema-lock';

/**
 * `npm run import`: runs `cdk8s import` offline for every CRD URL listed in cdk8s.yaml, reading
 * each from the checksummed mirror. CRDs of one API group are joined into one multi-document file
 * first, because importing them one by one would overwrite imports/<group>.ts with the last.
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: path.join(PROJECT_ROOT, 'cdk8s.yaml') },
      output: { type: 'string', default: path.join(PROJECT_ROOT, 'imports') },
      mirror: { type: 'string' },
    },
  });
  const config = YAML.parse(fs.readFileSync(values.config!, 'utf8')) as { imports?: string[] };
  const urls = config.imports ?? [];
  const lock = readSchemaLock();
  const byGroup = new Map<string, string[]>();
  for (const url of urls) {
    const file = resolveLockedFile(findLockEntry(lock, url), { mirrorDir: values.mirror });
    const group = crdGroup(file, url);
    byGroup.set(group, [...(byGroup.get(group) ?? []), file]);
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));
  try {
    for (const [group, files] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
      const joined = path.join(workDir, `${group}.yaml`);
      fs.writeFileSync(joined, files.map((f) => fs.readFileSync(f, 'utf8')).join('\n---\n'));
      execFileSync(
        path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk8s'),
        ['import', joined, '--language', 'typescript', '--output', path.resolve(values.output!)],
        // The CLI records what it imported in the cdk8s.yaml of its working folder: keep it away from ours.
        { cwd: workDir, stdio: 'inherit', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } },
      );
      console.log(`import: ${group} from ${files.length} pinned CRD file(s)`);
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  if (urls.length === 0) {
    console.log('import: cdk8s.yaml lists no CRDs; nothing to generate');
  }
}

function crdGroup(file: string, url: string): string {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { kind?: string; spec?: { group?: string } };
  if (doc?.kind !== 'CustomResourceDefinition' || !doc.spec?.group) {
    throw new Error(`${url} is not a CustomResourceDefinition; only CRDs can be imported`);
  }
  return doc.spec.group;
}

try {
  main();
} catch (error) {
  console.error(`import failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
