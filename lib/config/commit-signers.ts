import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { closest } from './check-config-shape';
import { ConfigError } from './config-error';
import { EnvironmentName } from './environment-config';

/**
 * Who may sign what Argo CD deploys: the OpenPGP key IDs per environment, as data
 * (lib/config/commit-signers.yaml). Every AppProject of this repository on the environment's
 * cluster lists them as `signatureKeys`, so Argo CD syncs only a tip of main signed by one of them
 * (controller/state.go of Argo CD 2.10.18, verifyGnuPGSignature). Production must list one at least.
 */

/** The data file, relative to the repository root (as messages name it). */
export const COMMIT_SIGNERS_FILE = 'lib/config/commit-signers.yaml';

/** The repository root: this file is lib/config/commit-signers.ts. */
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A long key ID as gpg prints it. Argo CD compares the project's key ID with the one gpg reports
 * as strings (util/gpg/gpg.go, KeyID: no case folding), and gpg prints upper case.
 */
export const LONG_KEY_ID = /^[0-9A-F]{16}$/;

/** `example` (a stand-in nobody holds) or `checked <YYYY-MM-DD>` (fingerprint compared with the holder's that day). */
export const KEY_SOURCE = /^(example|checked \d{4}-\d{2}-\d{2})$/;

/** Environments that must deploy signed commits only. */
const REQUIRED: readonly string[] = [EnvironmentName.PRODUCTION];

export interface CommitSigner {
  readonly keyId: string;
  readonly holder: string;
  readonly source: string;
}

const FIELDS = ['keyId', 'holder', 'source'] as const;

/** The signers of `environment` (none: it deploys unsigned commits), from the data file under `root`; throws the ConfigError of the file's first problem. */
export function commitSignersOf(environment: string, root: string = ROOT): readonly CommitSigner[] {
  return parseCommitSigners(environment, fs.readFileSync(path.join(root, COMMIT_SIGNERS_FILE), 'utf8'))[environment] ?? [];
}

/** Checks the whole file (every environment's entries), reading it for `asking`: a YAML error is reported for it. */
export function parseCommitSigners(asking: string, text: string): Readonly<Record<string, readonly CommitSigner[]>> {
  const fail = (environment: string, field: string, value: unknown, problem: string, fix: string): never => {
    throw new ConfigError(environment, field, value, problem, `${fix} (in ${COMMIT_SIGNERS_FILE})`);
  };
  const document = parseDocument(text);
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const at = syntax.linePos?.[0];
    fail(asking, 'commitSigners', at === undefined ? 'YAML' : `line ${at.line}, column ${at.col}`, `not valid YAML (${syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`, 'correct the YAML there');
  }
  const data: unknown = document.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data) || data === null) {
    return fail(asking, 'commitSigners', data, 'not a map of environment names to lists of signers', 'write production: followed by its entries');
  }
  const environments: readonly string[] = Object.values(EnvironmentName);
  const signers: Record<string, readonly CommitSigner[]> = {};
  for (const [environment, entries] of Object.entries(data as Record<string, unknown>)) {
    if (!environments.includes(environment)) {
      const near = closest(environment, environments);
      fail(environment, 'commitSigners', entries, 'not an environment, so these keys would be ignored', near ? `rename it to ${near}` : `use one of ${environments.join(', ')}`);
    }
    if (environment === EnvironmentName.PREVIEW) {
      fail(environment, 'commitSigners', entries, 'previews run on the development cluster and follow its signers, so these keys would be ignored', 'list them under development');
    }
    if (!Array.isArray(entries)) {
      fail(environment, 'commitSigners', entries, 'not a list of signers', `list entries with ${FIELDS.join(', ')}`);
    }
    signers[environment] = (entries as unknown[]).map((entry, index) => checkEntry(environment, index, entry, (entries as unknown[]).slice(0, index), fail));
  }
  for (const environment of REQUIRED.filter((name) => (signers[name] ?? []).length === 0)) {
    fail(environment, 'commitSigners', data[environment as keyof typeof data], `${environment} deploys only commits signed by a listed key, and none is listed`,
      `list the release managers' key IDs under ${environment}:`);
  }
  return signers;
}

type Fail = (environment: string, field: string, value: unknown, problem: string, fix: string) => never;

function checkEntry(environment: string, index: number, entry: unknown, before: readonly unknown[], fail: Fail): CommitSigner {
  const at = `commitSigners[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return fail(environment, at, entry, 'not a signer', `write an entry with ${FIELDS.join(', ')}`);
  }
  const record = entry as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    const near = closest(unknown, FIELDS);
    fail(environment, `${at}.${unknown}`, record[unknown], 'not a field of a signer, so it would be ignored', near ? `rename it to ${near}` : `remove it (fields: ${FIELDS.join(', ')})`);
  }
  for (const field of FIELDS) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      fail(environment, `${at}.${field}`, record[field], record[field] === undefined ? 'missing' : 'not a non-empty string',
        field === 'keyId' ? 'write the key ID in quotes, e.g. keyId: "0000000000000A01"' : `set ${field}`);
    }
  }
  const signer = record as unknown as CommitSigner;
  checkKeyId(environment, `${at}.keyId`, signer.keyId, fail);
  if (before.some((other) => (other as Partial<CommitSigner>)?.keyId === signer.keyId)) {
    fail(environment, `${at}.keyId`, signer.keyId, 'listed twice', 'keep one entry per key');
  }
  if (!KEY_SOURCE.test(signer.source)) {
    fail(environment, `${at}.source`, signer.source, 'not a known source of a key', 'use example, or checked <YYYY-MM-DD> once its fingerprint was compared with the holder');
  }
  return { keyId: signer.keyId, holder: signer.holder, source: signer.source };
}

function checkKeyId(environment: string, field: string, keyId: string, fail: Fail): void {
  if (LONG_KEY_ID.test(keyId)) {
    return;
  }
  const upper = keyId.replace(/\s+/g, '').toUpperCase();
  if (/^[0-9A-F]{40}$/.test(upper)) {
    fail(environment, field, keyId, 'a fingerprint, not a key ID', `use its last 16 digits, "${upper.slice(24)}"`);
  }
  if (LONG_KEY_ID.test(upper)) {
    fail(environment, field, keyId, 'not as gpg prints it, and Argo CD compares key IDs exactly', `write it in upper case, "${upper}"`);
  }
  fail(environment, field, keyId, /^[0-9A-F]{8}$/.test(upper) ? 'a short key ID, which Argo CD does not accept' : 'not a long key ID (16 hex digits)',
    'use the 16-digit key ID gpg --list-keys --keyid-format long prints for the key');
}

/** The key IDs every AppProject of this repository on a cluster requires: those of its environments, sorted. */
export function signatureKeysOf(environments: readonly string[], root: string = ROOT): readonly string[] {
  return [...new Set(environments.flatMap((environment) => commitSignersOf(environment, root).map((signer) => signer.keyId)))].sort();
}
