import { LongRunningService } from '../../lib/services/long-running-service';
import { CONFIG_CHECKSUM_ANNOTATION, RedisAccess } from '../../lib/stores/redis-cluster';
import { find, KubeObject, objectsOf } from '../support/kube';
import { IMAGE, oneReplica, prometheus, smallResources } from '../support/service-fixtures';
import { minimalRedis, redisPasswordSource } from './support/redis-fixtures';

const BUILT_IN_USERS = ['exporter', 'bootstrap', 'replication'];

function aclRules(objects: readonly KubeObject[]): string[] {
  return find(objects, 'ConfigMap', 'redis-config').data['acl-rules.conf'].trim().split('\n');
}

function podOf(objects: readonly KubeObject[]): any {
  return find(objects, 'StatefulSet', 'redis-z1').spec.template;
}

function withClients(...names: string[]) {
  const { chart, redis } = minimalRedis();
  for (const name of names) {
    redis.connect(new LongRunningService(chart, name, {
      namespace: redis.namespace, component: 'backend', image: IMAGE, replicas: oneReplica, resources: smallResources, zones: ['z1'], metricsScraper: prometheus, httpPort: 8080,
    }));
  }
  return { chart, redis, objects: () => objectsOf(chart) };
}

describe('RedisCluster users', () => {
  test('the default user is off; the node\'s own user, the exporter, the bootstrap and replication get only their commands and no key', () => {
    const { objects } = withClients();
    expect(aclRules(objects())).toEqual([
      'user default off resetpass resetkeys resetchannels -@all',
      'user node on resetkeys resetchannels -@all +ping +info +cluster|info +cluster|nodes +cluster|myid +cluster|replicas +cluster|failover +config|get +config|set +acl|setuser +acl|log',
      'user exporter on resetkeys resetchannels -@all +ping +info +client|setname +cluster|info +latency|latest +latency|histogram +slowlog|len +slowlog|get',
      'user bootstrap on resetkeys resetchannels -@all +ping +info +cluster|info +cluster|nodes +cluster|myid +cluster|addslotsrange +cluster|set-config-epoch +cluster|meet +cluster|replicate +cluster|failover',
      'user replication on resetkeys resetchannels -@all +ping +replconf +psync',
    ]);
    const conf = find(objects(), 'ConfigMap', 'redis-config').data['redis.conf'];
    expect(conf).toContain('aclfile /run/redis/users.acl\nmasteruser replication\n');
  });

  test('connect(client) adds a user confined to the keys and channels <client>:*, without dangerous commands', () => {
    const { objects } = withClients('api', 'generator');
    const rules = aclRules(objects());
    expect(rules.slice(5).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual(['user api', 'user generator']);
    const api = rules[5].split(' ');
    expect(api.slice(-2)).toEqual(['~api:*', '&api:*']);
    expect(api).toEqual(expect.arrayContaining(['on', 'resetkeys', 'resetchannels', '-@all', '+@read', '+@write', '-@dangerous', '-function', '+cluster|slots']));
    // Denials come after the grants they narrow.
    expect(api.indexOf('-@dangerous')).toBeGreaterThan(api.indexOf('+@write'));
    expect(api.filter((rule) => rule.startsWith('~') || rule.startsWith('&'))).toEqual(['~api:*', '&api:*']);
  });

  test('every user but default and node has its own password file, from its own Secret, in the redis container only', () => {
    const { objects } = withClients('api');
    const pod = podOf(objects()).spec;
    const credentials = pod.volumes.find((volume: any) => volume.name === 'credentials');
    expect(credentials.projected.defaultMode).toBe(0o440);
    expect(credentials.projected.sources).toEqual([...BUILT_IN_USERS, 'api'].map((user) => ({
      secret: { name: `redis-${user}-credentials`, items: [{ key: 'password', path: user }] },
    })));
    expect(pod.volumes).toContainEqual({ name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    const [server, exporter] = pod.containers;
    expect(server.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'credentials', mountPath: '/etc/redis-credentials', readOnly: true },
      { name: 'run', mountPath: '/run/redis' },
    ]));
    expect(exporter.volumeMounts.map((mount: any) => mount.name)).toEqual(['tls']);
    expect(find(objects(), 'ExternalSecret', 'redis-api-credentials').spec.target.template).toMatchObject({ type: 'kubernetes.io/basic-auth', data: { username: 'api' } });
  });

  test('Reloader restarts the nodes only for the exporter\'s password, the one password a container reads from its environment', () => {
    const { objects } = withClients('api');
    const sts = find(objects(), 'StatefulSet', 'redis-z1');
    expect(sts.metadata.annotations['secret.reloader.stakater.com/reload']).toBe('redis-exporter-credentials');
    expect(sts.spec.template.spec.containers[1].env).toContainEqual({ name: 'REDIS_PASSWORD', valueFrom: redisPasswordSource('exporter') });
  });

  test('a change of the users (or of redis.conf and the scripts) changes the pod template, so the nodes roll and load it', () => {
    const checksumOf = (objects: readonly KubeObject[]) => podOf(objects).metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    const alone = checksumOf(withClients().objects());
    expect(alone).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumOf(withClients().objects())).toBe(alone);
    expect(checksumOf(withClients('api').objects())).not.toBe(alone);
    expect(checksumOf(objectsOf(minimalRedis({ extraConfig: { hz: '20' } }).chart))).not.toBe(alone);
  });

  test('addUser() adds a user with the access given, and its Secret; the client connects with REDIS_USERNAME and REDIS_PASSWORD', () => {
    const { chart, redis } = minimalRedis();
    const user = redis.addUser('reports', RedisAccess.clusterClient({ commands: ['get', 'scan'], keyPattern: 'reports:*' }));
    const objects = objectsOf(chart);
    expect(aclRules(objects)).toContain('user reports on resetkeys resetchannels -@all +get +scan +ping +cluster|slots +cluster|shards +cluster|nodes +cluster|info +readonly +readwrite ~reports:*');
    expect(find(objects, 'ExternalSecret', 'redis-reports-credentials').spec.data[0].remoteRef).toEqual({ key: 'generator-platform/test/redis/reports', property: 'password' });
    expect(redis.connectionEnv(user).filter((v) => /USERNAME|PASSWORD|PREFIX/.test(v.name))).toEqual([
      { name: 'REDIS_USERNAME', value: 'reports' },
      { name: 'REDIS_PASSWORD', valueFrom: redisPasswordSource('reports') },
    ]);
  });

  describe('fails', () => {
    test.each(['default', 'node', 'exporter', 'replication'])('on a user named %s, which exists already', (name) => {
      const { redis } = minimalRedis();
      expect(() => redis.addUser(name, RedisAccess.keyPrefix('x:'))).toThrow(`RedisCluster redis: user "${name}" exists already; add each user once, and none named default or node`);
    });

    test('on a client connected twice', () => {
      const { chart, redis } = withClients('api');
      const api = chart.node.findChild('api') as LongRunningService;
      expect(() => redis.connect(api)).toThrow('RedisCluster redis: user "api" exists already');
    });

    test('on a user name that is not a DNS label', () => {
      const { redis } = minimalRedis();
      expect(() => redis.addUser('Reports Team', RedisAccess.keyPrefix('x:'))).toThrow('RedisCluster redis: user "Reports Team" is not a lower-case DNS label');
    });

    test.each([
      [() => RedisAccess.keyPrefix('api'), 'RedisAccess: key prefix is "api"; use letters, digits and _ . - ending in a colon, e.g. api:'],
      [() => RedisAccess.keyPrefix('*:'), 'RedisAccess: key prefix is "*:"'],
      [() => RedisAccess.clusterClient({ commands: ['GET'], keyPattern: 'x*' }), 'RedisAccess: command is "GET"; use a command or command|subcommand in lower case'],
      [() => RedisAccess.clusterClient({ commands: ['get'], keyPattern: 'a b' }), 'RedisAccess: key pattern is "a b"'],
      [() => RedisAccess.commands(['+@all']), 'RedisAccess: command is "+@all"'],
    ])('on access rules that are not what they seem (%#)', (make, message) => {
      expect(make).toThrow(message);
    });

    test.each(['aclfile', 'user', 'masteruser', 'requirepass'])('when extraConfig sets %s, which would bypass the users', (directive) => {
      expect(() => minimalRedis({ extraConfig: { [directive]: 'x' } })).toThrow(`RedisCluster redis: a directive of extraConfig is "${directive}"; the construct sets it itself`);
    });
  });
});
