import * as fs from 'fs';
import { runProgram } from '../addons/run-program';

/**
 * A throwaway OpenPGP signing key (ed25519, no passphrase) in its own keyring, made with Debian's
 * gpg for one test run: the harness signs the commits it serves with it, as a release manager signs
 * a merge with a hardware key (docs/gitops.md, "Signed commits"). Never a real signer's key.
 */
export class ThrowawaySigningKey {
  /**
   * A new key in `home` (created, mode 0700 as gpg wants it; the caller removes it after `stop()`).
   * `name` ends up in the user ID: `<name> <<name>@127.0.0.1>`.
   */
  public static async create(home: string, name: string): Promise<ThrowawaySigningKey> {
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    const gpg = (args: readonly string[], what: string) => runProgram('gpg', ['--batch', '--no-tty', ...args], what, { env: { ...process.env, GNUPGHOME: home, LANG: 'C' } });
    await gpg(['--passphrase', '', '--quick-gen-key', `${name} <${name}@127.0.0.1>`, 'ed25519', 'sign', 'never'], `gpg --quick-gen-key for ${name}`);
    const listing = await gpg(['--with-colons', '--list-secret-keys'], 'gpg --list-secret-keys');
    const fingerprint = /^fpr:(?::[^:]*){7}:([0-9A-F]{40}):/m.exec(listing)?.[1];
    if (fingerprint === undefined) {
      throw new Error(`ThrowawaySigningKey: gpg made no key for ${name} in ${home}: ${listing}`);
    }
    const armoredPublicKey = await gpg(['--armor', '--export', fingerprint], `gpg --export ${fingerprint}`);
    return new ThrowawaySigningKey(home, name, fingerprint, armoredPublicKey);
  }

  /** The long key ID (the fingerprint's last 16 hex digits), as Argo CD's AppProject signatureKeys name it. */
  public readonly keyId: string;

  private constructor(
    public readonly home: string,
    public readonly name: string,
    public readonly fingerprint: string,
    /** What argocd-gpg-keys-cm holds under the key ID. */
    public readonly armoredPublicKey: string,
  ) {
    this.keyId = fingerprint.slice(24);
  }

  /** `git commit-tree` arguments and environment that sign the commit with this key (commit-tree ignores commit.gpgSign). */
  public get gitSigning(): { readonly args: readonly string[]; readonly env: Readonly<Record<string, string>> } {
    return { args: [`-S${this.keyId}`], env: { GNUPGHOME: this.home } };
  }

  /** Ends the gpg-agent that signing started for this keyring (gpgconf finds it by the keyring's folder), if any. */
  public async stop(): Promise<void> {
    await stopGpgAgent(this.home);
  }
}

/**
 * Ends the gpg-agent of the keyring in `home`, which gpg starts on its own (detached) for secret-key
 * operations and which would otherwise outlive the run. gpgconf addresses that one agent through
 * the keyring's socket; nothing else is touched. Should a run die before this, the agent ends by
 * itself once its folder (where its socket is, without /run/user) is removed: gpg-agent 2.2 checks
 * its own socket (seen here: gone within two minutes of removing the folder).
 */
export async function stopGpgAgent(home: string): Promise<void> {
  if (fs.existsSync(home)) {
    await runProgram('gpgconf', ['--kill', 'gpg-agent'], `gpgconf --kill gpg-agent (${home})`, { env: { ...process.env, GNUPGHOME: home } }).catch(() => undefined);
  }
}
