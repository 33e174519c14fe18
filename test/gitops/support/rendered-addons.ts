import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderAllEnvironments } from '../../../synth/render';
import { AddonApplication, addonApplicationsIn } from '../../../tools/addons/addon-applications';
import { lockEntryFor, readAddonLock } from '../../../tools/addons/addon-lock';
import { builtInApiVersions } from '../../../tools/addons/cluster-api-versions';
import { renderAddon } from '../../../tools/addons/render-addon';
import { objectsOf } from '../../../tools/addons/render-addons';

export interface RenderedAddonObjects {
  readonly application: AddonApplication;
  readonly objects: readonly any[];
}

/**
 * The named add-on Applications of every cluster, synthesized now (not read from dist/, which
 * the lead regenerates) and rendered as Argo CD's repo server would: `helm template` of the
 * checksum-verified chart sources of addons.lock.json with the Application's values
 * (tools/addons/render-addon.ts, helm 3.12 from the kubectl layer package).
 */
export async function renderAddonsNamed(names: readonly string[]): Promise<RenderedAddonObjects[]> {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-addons-dist-'));
  try {
    for (const [file, content] of renderAllEnvironments()) {
      fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
      fs.writeFileSync(path.join(dist, file), content);
    }
    const lock = readAddonLock();
    const applications = addonApplicationsIn(dist).filter((application) => names.includes(application.name));
    const rendered: RenderedAddonObjects[] = [];
    for (const application of applications) {
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-addon-'));
      try {
        const yaml = await renderAddon({ application, entry: lockEntryFor(lock, application.lockedSource), apiVersions: builtInApiVersions(), workDir });
        rendered.push({ application, objects: objectsOf(yaml) });
      } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
      }
    }
    return rendered;
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
}
