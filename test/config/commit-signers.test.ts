import * as fs from 'fs';
import * as path from 'path';
import { COMMIT_SIGNERS_FILE, commitSignersOf, parseCommitSigners, signatureKeysOf } from '../../lib/config/commit-signers';
import { CLUSTERS } from '../../lib/config/clusters';

const ROOT = path.resolve(__dirname, '..', '..');
const REAL = fs.readFileSync(path.join(ROOT, COMMIT_SIGNERS_FILE), 'utf8');

/** Replaces exactly one occurrence of `from` in the real file (the test breaks if the file no longer holds it). */
function once(from: string | RegExp, to: string): string {
  const count = typeof from === 'string' ? REAL.split(from).length - 1 : (REAL.match(new RegExp(from.source, 'g')) ?? []).length;
  if (count !== 1) {
    throw new Error(`expected exactly one ${String(from)} in ${COMMIT_SIGNERS_FILE}, found ${count}`);
  }
  return REAL.replace(from, to);
}

const IN = `(in ${COMMIT_SIGNERS_FILE})`;

describe('commit signers (lib/config/commit-signers.yaml)', () => {
  test('production lists signers, each clearly an example until replaced; development and staging list none', () => {
    const production = commitSignersOf('production');
    expect(production.length).toBeGreaterThan(0);
    // Example key IDs are organisational data no one holds: the file says so on every entry.
    expect(production.map((signer) => signer.source)).toEqual(production.map(() => 'example'));
    expect(commitSignersOf('development')).toEqual([]);
    expect(commitSignersOf('staging')).toEqual([]);
  });

  test("the production cluster's projects require exactly production's keys; the other clusters require none", () => {
    const keys = commitSignersOf('production').map((signer) => signer.keyId).sort();
    expect(Object.fromEntries(CLUSTERS.map((cluster) => [cluster.name, cluster.signatureKeys]))).toEqual({ development: [], staging: [], production: keys });
    expect(signatureKeysOf(['production', 'staging'])).toEqual(keys);
  });

  const cases: Array<[string, string, string]> = [
    ['a key ID in lower case (Argo CD compares it with what gpg prints, exactly)', once('"0000000000000A01"', '"0000000000000a01"'),
      `environment "production": commitSigners[0].keyId = "0000000000000a01": not as gpg prints it, and Argo CD compares key IDs exactly. Fix: write it in upper case, "0000000000000A01" ${IN}`],
    ['a short key ID', once('"0000000000000A02"', '"00000A02"'),
      `environment "production": commitSigners[1].keyId = "00000A02": a short key ID, which Argo CD does not accept. Fix: use the 16-digit key ID gpg --list-keys --keyid-format long prints for the key ${IN}`],
    ['a fingerprint instead of the key ID', once('"0000000000000A01"', '"968479A1AFF927E37D1A566B0000000000000A01"'),
      `environment "production": commitSigners[0].keyId = "968479A1AFF927E37D1A566B0000000000000A01": a fingerprint, not a key ID. Fix: use its last 16 digits, "0000000000000A01" ${IN}`],
    ['a key ID that is not hex', once('"0000000000000A02"', '"000000000000EXAM"'),
      `environment "production": commitSigners[1].keyId = "000000000000EXAM": not a long key ID (16 hex digits). Fix: use the 16-digit key ID gpg --list-keys --keyid-format long prints for the key ${IN}`],
    ['a key ID YAML reads as a number', once('"0000000000000A01"', '1234567890123456'),
      `environment "production": commitSigners[0].keyId = 1234567890123456: not a non-empty string. Fix: write the key ID in quotes, e.g. keyId: "0000000000000A01" ${IN}`],
    ['a key listed twice', once('"0000000000000A02"', '"0000000000000A01"'),
      `environment "production": commitSigners[1].keyId = "0000000000000A01": listed twice. Fix: keep one entry per key ${IN}`],
    ['a misspelt field', once(/keyId: "0000000000000A02"/, 'keyID: "0000000000000A02"'),
      `environment "production": commitSigners[1].keyID = "0000000000000A02": not a field of a signer, so it would be ignored. Fix: rename it to keyId ${IN}`],
    ['a signer without a holder', once('    holder: release manager 1 (example)\n', ''),
      `environment "production": commitSigners[0].holder = (not set): missing. Fix: set holder ${IN}`],
    ['an unknown source of a key', once(/(A02"\n.*\n {4}source: )example/, '$1keyserver'),
      `environment "production": commitSigners[1].source = "keyserver": not a known source of a key. Fix: use example, or checked <YYYY-MM-DD> once its fingerprint was compared with the holder ${IN}`],
    ['production without signers', 'production: []\n',
      `environment "production": commitSigners = []: production deploys only commits signed by a listed key, and none is listed. Fix: list the release managers' key IDs under production: ${IN}`],
    ['production left out', 'staging: []\n',
      `environment "production": commitSigners = (not set): production deploys only commits signed by a listed key, and none is listed. Fix: list the release managers' key IDs under production: ${IN}`],
    ['a misspelt environment', once('production:', 'prodution:'),
      `environment "prodution": commitSigners = [{"keyId":"0000000000000A01","holder":"release manager 1 (example)","source":"example"},{"keyId":"0000000000000A02","holder":"release manager 2 (example)","source":"example"}]: not an environment, so these keys would be ignored. Fix: rename it to production ${IN}`],
    ['signers for previews, which follow the development cluster\'s', `${REAL}preview:\n  - keyId: "0000000000000A01"\n    holder: x\n    source: example\n`,
      `environment "preview": commitSigners = [{"keyId":"0000000000000A01","holder":"x","source":"example"}]: previews run on the development cluster and follow its signers, so these keys would be ignored. Fix: list them under development ${IN}`],
    ['broken YAML', once('  - keyId: "0000000000000A02"', '  - keyId: ["0000000000000A02"'),
      `environment "production": commitSigners = "line 26, column 5": not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]). Fix: correct the YAML there ${IN}`],
  ];

  test.each(cases)('%s fails with one exact line', (_, text, message) => {
    expect(() => parseCommitSigners('production', text)).toThrow(message);
    expect(message.split('\n')).toHaveLength(1);
  });

  test('a correct change passes: another key, checked with its holder on a date', () => {
    const text = once(/"0000000000000A02"\n(.*)\n {4}source: example/, '"1D2C3B4A59687766"\n$1\n    source: checked 2025-01-31');
    expect(parseCommitSigners('production', text).production).toEqual([
      { keyId: '0000000000000A01', holder: 'release manager 1 (example)', source: 'example' },
      { keyId: '1D2C3B4A59687766', holder: 'release manager 2 (example)', source: 'checked 2025-01-31' },
    ]);
  });
});
