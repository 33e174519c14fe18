import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { JsonObject, record, text } from './json';

/** One Kubernetes object read from one YAML document of a rendered folder. */
export interface RenderedObject {
  /** Folder of the file under the rendered root: the environment (`production`), or e.g. `argocd/production`. */
  readonly environment: string;
  /** Path relative to the rendered root, `/`-separated, e.g. `production/web.yaml`. */
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly body: JsonObject;
}

/** Parses one multi-document YAML text as kubectl reads it (YAML 1.1); documents that are not objects are skipped. */
export function parseRenderedFile(file: string, source: string): RenderedObject[] {
  const environment = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
  const objects: RenderedObject[] = [];
  for (const document of parseAllDocuments(source, { version: '1.1' })) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: malformed YAML: ${document.errors[0].message.split('\n')[0]}`);
    }
    const body = record(document.toJS());
    const apiVersion = text(body.apiVersion);
    const kind = text(body.kind);
    if (apiVersion === undefined || kind === undefined) {
      continue;
    }
    const metadata = record(body.metadata);
    objects.push({ environment, file, apiVersion, kind, name: text(metadata.name) ?? '', namespace: text(metadata.namespace), body });
  }
  return objects;
}

/** Every `.yaml`/`.yml` file under `dir`, relative and `/`-separated, sorted. */
export function listYamlFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(...listYamlFiles(dir, relative));
    } else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
      files.push(relative);
    }
  }
  return files.sort();
}

/** Every object of every YAML file under `dir` (e.g. `dist/`). */
export function loadRenderedFolder(dir: string): RenderedObject[] {
  if (!fs.existsSync(dir)) {
    throw new Error(`${dir} does not exist: run \`npm run synth\` first`);
  }
  return listYamlFiles(dir).flatMap((file) => parseRenderedFile(file, fs.readFileSync(path.join(dir, file), 'utf8')));
}

/** `metadata.annotations[key]` of an object. */
export function annotationOf(object: RenderedObject, key: string): string | undefined {
  return text(record(record(object.body.metadata).annotations)[key]);
}
