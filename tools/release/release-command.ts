import { ImageDataDocument } from './image-data-document';
import { resynthesize } from './resynthesize';

/** A wrong or missing argument: the command exits 2 (1 is for refused input such as a bad digest). */
export class UsageError extends Error {}

/**
 * Runs one release command (release, promote, pin-images) the way the pipeline expects of all three:
 * every failure is one line prefixed with the command's name on stderr, exit code 2 for usage
 * errors, 1 for anything refused, and the code `main` returns otherwise.
 */
export function runReleaseCommand(name: string, main: () => number | Promise<number>): void {
  const fail = (error: unknown): void => {
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  };
  try {
    Promise.resolve(main()).then((code) => {
      process.exitCode = code;
    }, fail);
  } catch (error) {
    fail(error);
  }
}

/**
 * The common ending of every release command that changed image data: save each changed file,
 * then re-synthesize dist/ and print the rendered diff, so the pull request shows what it changes.
 */
export function saveAndResynthesize(name: string, root: string, documents: readonly ImageDataDocument[]): void {
  // Check every file before writing any: one bad edit leaves all of them as they were.
  documents.forEach((document) => document.images());
  for (const document of documents) {
    console.log(`${name}: wrote ${document.save()}`);
  }
  console.log(resynthesize(root));
}
