import * as path from 'path';
import { freePort, ManagedProcess, waitFor } from '../cluster/managed-process';
import { runProgram } from '../addons/run-program';

/**
 * `git daemon` on 127.0.0.1 serving every bare repository under `baseDir` (`git://127.0.0.1:<port>/<owner>/<name>.git`),
 * under the watchdog of tools/cluster (it ends with the process that started it). Ready when
 * `git ls-remote` of `probePath` answers.
 */
export class LocalGitDaemon {
  public static async start(baseDir: string, probePath: string, logDir: string): Promise<LocalGitDaemon> {
    const port = await freePort();
    const args = ['daemon', '--export-all', `--base-path=${baseDir}`, '--listen=127.0.0.1', `--port=${port}`, '--reuseaddr', '--informative-errors'];
    const daemon = new LocalGitDaemon(new ManagedProcess('git daemon', 'git', args, path.join(logDir, 'git-daemon.log')), port);
    const probe = daemon.urlOf(probePath);
    await waitFor(`git ls-remote ${probe}`, () => runProgram('git', ['ls-remote', probe], 'git ls-remote').then(() => true), { timeoutMs: 15_000, process: daemon.process });
    return daemon;
  }

  private constructor(
    private readonly process: ManagedProcess,
    public readonly port: number,
  ) {}

  /** The URL of the repository at `<baseDir>/<servedPath>`. */
  public urlOf(servedPath: string): string {
    return `git://127.0.0.1:${this.port}/${servedPath}`;
  }

  public stop(): Promise<void> {
    return this.process.stop();
  }
}
