import * as fs from 'fs';
import * as path from 'path';
import { Document, isMap, isSeq, parseDocument, YAMLMap } from 'yaml';
import { imageDataFile } from '../../lib/config/config-source';
import { EnvironmentImages, ImageEntry, parseEnvironmentImages } from '../../lib/config/environment-images';
import { EnvironmentName } from '../../lib/config/environment-config';

/** What a release command writes into one entry; `undefined` leaves a field as it is. */
export interface ImageUpdate {
  readonly tag?: string;
  readonly digest: string;
  readonly digestSource: string;
}

/**
 * One environment's image data file (lib/config/images/<environment>.yaml) under a repository
 * root, edited as a YAML document so that its comments and layout survive every release: a
 * reviewer sees exactly the lines that changed.
 */
export class ImageDataDocument {
  /** Opens the data file of `environment` under `root`; refuses an environment that does not exist there. */
  public static open(root: string, environment: string): ImageDataDocument {
    const known = Object.values(EnvironmentName) as string[];
    const file = path.join(root, imageDataFile(environment));
    if (!known.includes(environment) || !fs.existsSync(file)) {
      throw new Error(`no environment "${environment}" in ${root} (${imageDataFile(environment)} does not exist); use one of ${known.join(', ')}`);
    }
    return new ImageDataDocument(root, environment, fs.readFileSync(file, 'utf8'));
  }

  private readonly document: Document;
  private readonly original: string;

  private constructor(private readonly root: string, public readonly environment: string, text: string) {
    this.original = text;
    this.document = parseDocument(text);
  }

  /** The images as the file holds them now, checked as synth checks them. */
  public images(): EnvironmentImages {
    return parseEnvironmentImages(this.environment, this.text());
  }

  /** The entry whose repository is `repository`; refuses a repository the environment does not run. */
  public entryOf(repository: string): ImageEntry {
    const entry = Object.values(this.images()).find((image) => image.repository === repository);
    if (entry === undefined) {
      const known = Object.values(this.images()).map((image) => image.repository);
      throw new Error(`${this.environment} runs no image from ${repository} (${imageDataFile(this.environment)}); use one of ${known.join(', ')}`);
    }
    return entry;
  }

  /** Writes `update` into the entry named `name` (in memory: `save` writes the file). */
  public update(name: string, update: ImageUpdate): void {
    const entries = this.document.get('images');
    const entry = isSeq(entries) ? entries.items.find((item): item is YAMLMap => isMap(item) && item.get('name') === name) : undefined;
    if (entry === undefined) {
      throw new Error(`${imageDataFile(this.environment)} has no entry named ${name}`);
    }
    if (update.tag !== undefined) {
      entry.set('tag', update.tag);
    }
    entry.set('digest', update.digest);
    entry.set('digestSource', update.digestSource);
  }

  /** Whether anything changed since the file was read. */
  public changed(): boolean {
    return this.text() !== this.original;
  }

  /** Checks the edited file as synth will read it (a ConfigError names the mistake) and writes it. */
  public save(): string {
    this.images();
    const file = imageDataFile(this.environment);
    fs.writeFileSync(path.join(this.root, file), this.text());
    return file;
  }

  private text(): string {
    // lineWidth 0: never fold a long comment or URL, so an edit changes only its own lines.
    return this.document.toString({ lineWidth: 0 });
  }
}
