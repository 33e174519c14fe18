import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DNS_LABEL } from '../../platform/input-patterns';
import { VaultSecret } from '../../security/vault-secret';
import { NODE_ACCESS, RedisAccess } from './redis-access';
import { DEFAULT_USER, NODE_USER } from './redis-constants';

/** One ACL user of the cluster whose password comes from Vault. */
export interface RedisUser {
  /** The name it logs in with (`AUTH <name> <password>`, `HELLO 3 AUTH ...`). */
  readonly name: string;
  /** A `kubernetes.io/basic-auth` Secret: `username` (the name) and `password` (from Vault). */
  readonly credentials: VaultSecret;
  readonly access: RedisAccess;
}

export interface RedisUsersProps {
  /** Name of the cluster: the users' Secrets are `<cluster>-<user>-credentials`. */
  readonly clusterName: string;
  readonly namespaceName: string;
  /** Vault KV prefix of the environment; each user's password is at `<prefix>/redis/<user>`. */
  readonly vaultPathPrefix: string;
}

/**
 * The ACL users of a Redis cluster: `default`, switched off (Redis would otherwise create it with
 * no password and every permission), the node's own user (its password made at each start, see
 * REDIS_USERS_SCRIPT), and each user added here, with its password from Vault through its own
 * ExternalSecret. Renders no password: the nodes hash the mounted files at start.
 */
export class RedisUsers extends Construct {
  private readonly props: RedisUsersProps;
  private readonly users: RedisUser[] = [];

  public constructor(scope: Construct, id: string, props: RedisUsersProps) {
    super(scope, id);
    this.props = props;
  }

  /** Adds the user `name` with `access`, and the Secret of its password. */
  public add(name: string, access: RedisAccess): RedisUser {
    const fail = (problem: string): never => {
      throw new Error(`RedisCluster ${this.props.clusterName}: user ${JSON.stringify(name)} ${problem}`);
    };
    if (!DNS_LABEL.test(name)) {
      fail('is not a lower-case DNS label; name users after their client, e.g. api');
    }
    if (name === DEFAULT_USER || name === NODE_USER || this.users.some((user) => user.name === name)) {
      fail('exists already; add each user once, and none named default or node');
    }
    const credentials = VaultSecret.basicAuth(new Construct(this, name), 'Credentials', {
      namespace: this.props.namespaceName,
      secretName: `${this.props.clusterName}-${name}-credentials`,
      vaultPath: `${this.props.vaultPathPrefix}/redis/${name}`,
      username: name,
    });
    const user = { name, credentials, access };
    this.users.push(user);
    return user;
  }

  /** `acl-rules.conf`: one `user <name> <rules>` line per user, without a password. Call it at synth time, once every user is added. */
  public aclRules(): string {
    const line = (name: string, rules: readonly string[]) => ['user', name, 'on', 'resetkeys', 'resetchannels', '-@all', ...rules].join(' ');
    return [
      `user ${DEFAULT_USER} off resetpass resetkeys resetchannels -@all`,
      line(NODE_USER, NODE_ACCESS.rules),
      ...this.users.map((user) => line(user.name, user.access.rules)),
    ].join('\n') + '\n';
  }

  /** The password of each user as the file `<user>` of one projected volume. Call it at synth time. */
  public passwordFiles(): k8s.VolumeProjection[] {
    return this.users.map((user) => ({
      secret: { name: user.credentials.secretName, items: [{ key: 'password', path: user.name }] },
    }));
  }
}
