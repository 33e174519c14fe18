import { LogStream } from './logging-retention';
import { LOKI_HTTP_PORT, lokiPushHost } from './logging-network-policies';
import { ClusterLogging, LOKI_RELEASE, LOKI_TENANT } from './logging-settings';

/** Release (and Application) name of the node agent: a DaemonSet reading container and audit log files. */
export const FLUENT_BIT_RELEASE = 'fluent-bit';
/** Release (and Application) name of the Kubernetes Events collector: one replica, so each Event is shipped once. */
export const FLUENT_BIT_EVENTS_RELEASE = 'fluent-bit-events';

/** Namespaces whose container logs are the application stream: the environments and the previews. */
export const APPLICATION_NAMESPACES = '^generator-platform(-pr-[a-z0-9-]+)?$';

/** The parser of the services' JSON lines (`level`, `msg`, `trace_id`, ...), applied to the CRI log's message. */
export const SERVICE_JSON_PARSER = 'service_json';

/** Where the tail inputs keep their file offsets on the node, so a restarted agent neither loses nor repeats lines. */
const STATE_DIRECTORY = '/var/lib/fluent-bit';

/** One `[SECTION]` of Fluent Bit's classic configuration. */
function section(name: string, entries: readonly (readonly [string, string | number])[]): string {
  const width = Math.max(...entries.map(([key]) => key.length)) + 1;
  return [`[${name}]`, ...entries.map(([key, value]) => `    ${key.padEnd(width)}${value}`)].join('\n') + '\n';
}

/** A Loki output for one stream: `environment` and `stream` are fixed labels, `extraLabels` are record accessors. */
function lokiOutput(logging: ClusterLogging, stream: LogStream, match: string, extraLabels: readonly string[] = []): string {
  const labels = [`environment=${logging.environment}`, `stream=${stream}`, ...extraLabels].join(', ');
  return section('OUTPUT', [
    ['Name', 'loki'],
    ['Alias', `loki-${stream}`],
    ['Match', match],
    ['Host', lokiPushHost(logging.deploymentMode, LOKI_RELEASE)],
    ['Port', LOKI_HTTP_PORT],
    ['Tenant_ID', LOKI_TENANT],
    ['Labels', labels],
    ['Line_Format', 'json'],
    ['Retry_Limit', 'no_limits'],
  ]);
}

/** `namespace` and `app` labels of a container's log line, from the Kubernetes filter's metadata. */
const WORKLOAD_LABELS = ["namespace=$kubernetes['namespace_name']", "app=$kubernetes['labels']['app.kubernetes.io/name']"];

/** The node agent's pipeline: its inputs, filters, outputs and parsers (the chart's `config`). */
export function nodeAgentConfig(logging: ClusterLogging): Record<string, string> {
  const inputs = [
    section('INPUT', [
      ['Name', 'tail'],
      ['Alias', 'containers'],
      ['Tag', 'kube.*'],
      ['Path', '/var/log/containers/*.log'],
      ['multiline.parser', 'cri'],
      ['DB', `${STATE_DIRECTORY}/containers.db`],
      ['Mem_Buf_Limit', '50MB'],
      ['Skip_Long_Lines', 'On'],
      ['Refresh_Interval', 10],
    ]),
    section('INPUT', [
      ['Name', 'tail'],
      ['Alias', 'kube-apiserver-audit'],
      ['Tag', 'audit.kube-apiserver'],
      ['Path', logging.auditLogPath],
      ['Parser', 'json'],
      ['DB', `${STATE_DIRECTORY}/audit.db`],
      ['Mem_Buf_Limit', '50MB'],
      ['Buffer_Max_Size', '1MB'],
      ['Skip_Long_Lines', 'On'],
    ]),
  ];
  const filters = [
    section('FILTER', [
      ['Name', 'kubernetes'],
      ['Match', 'kube.*'],
      ['Kube_Tag_Prefix', 'kube.var.log.containers.'],
      ['Merge_Log', 'On'],
      ['Merge_Parser', SERVICE_JSON_PARSER],
      ['Keep_Log', 'Off'],
      ['Labels', 'On'],
      ['Annotations', 'Off'],
      ['K8S-Logging.Parser', 'Off'],
      ['K8S-Logging.Exclude', 'Off'],
    ]),
    // First matching rule wins: the platform's namespaces are the application stream, the rest is system.
    section('FILTER', [
      ['Name', 'rewrite_tag'],
      ['Match', 'kube.*'],
      ['Rule', `$kubernetes['namespace_name'] ${APPLICATION_NAMESPACES} ${LogStream.APPLICATION}.$TAG false`],
      ['Rule', `$kubernetes['namespace_name'] .+ ${LogStream.SYSTEM}.$TAG false`],
      ['Emitter_Name', 'container_streams'],
    ]),
    // Pod Security admission records its violations as audit annotations: a copy goes to the security stream.
    section('FILTER', [
      ['Name', 'rewrite_tag'],
      ['Match', 'audit.*'],
      ['Rule', `$annotations['pod-security.kubernetes.io/audit-violations'] .+ ${LogStream.SECURITY}.pod-security-audit true`],
      ['Emitter_Name', 'audit_pod_security'],
    ]),
    ...(logging.dropDebugLogs ? [section('FILTER', [['Name', 'grep'], ['Match', `${LogStream.APPLICATION}.*`], ['Exclude', 'level ^(debug|trace)$']])] : []),
  ];
  const outputs = [
    lokiOutput(logging, LogStream.APPLICATION, `${LogStream.APPLICATION}.*`, WORKLOAD_LABELS),
    lokiOutput(logging, LogStream.SYSTEM, `${LogStream.SYSTEM}.*`, WORKLOAD_LABELS),
    lokiOutput(logging, LogStream.AUDIT, `${LogStream.AUDIT}.*`),
    lokiOutput(logging, LogStream.SECURITY, `${LogStream.SECURITY}.*`),
  ];
  return {
    inputs: inputs.join('\n'),
    filters: filters.join('\n'),
    outputs: outputs.join('\n'),
    customParsers: section('PARSER', [['Name', SERVICE_JSON_PARSER], ['Format', 'json']]),
  };
}

/** The Events collector's pipeline: Kyverno and Pod Security Events are the security stream, every other Event is system. */
export function eventsCollectorConfig(logging: ClusterLogging): Record<string, string> {
  return {
    inputs: section('INPUT', [
      ['Name', 'kubernetes_events'],
      ['Tag', 'events'],
      ['Kube_URL', 'https://kubernetes.default.svc'],
    ]),
    filters: section('FILTER', [
      ['Name', 'rewrite_tag'],
      ['Match', 'events'],
      ['Rule', `$reason ^PolicyViolation$ ${LogStream.SECURITY}.kyverno false`],
      ['Rule', `$message violates\\sPodSecurity ${LogStream.SECURITY}.pod-security false`],
      ['Rule', `$reason .* ${LogStream.SYSTEM}.events false`],
      ['Emitter_Name', 'event_streams'],
    ]),
    outputs: [
      lokiOutput(logging, LogStream.SECURITY, `${LogStream.SECURITY}.*`, ["namespace=$involvedObject['namespace']"]),
      lokiOutput(logging, LogStream.SYSTEM, `${LogStream.SYSTEM}.*`, ["namespace=$involvedObject['namespace']"]),
    ].join('\n'),
    customParsers: '',
  };
}

const AGENT_SECURITY_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

/**
 * The fluent/fluent-bit chart's values of the node agent: a DaemonSet on every node (control
 * plane included, where the audit log is), reading /var/log of the node read-only and keeping its
 * offsets in a host directory. It runs as root to read the kubelet's root-owned log files, without
 * any capability, so the `logging` namespace must admit Pod Security `privileged` (hostPath).
 */
export function fluentBitHelmValues(logging: ClusterLogging): Record<string, unknown> {
  return {
    kind: 'DaemonSet',
    tolerations: [{ operator: 'Exists' }],
    priorityClassName: 'system-node-critical',
    securityContext: AGENT_SECURITY_CONTEXT,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    config: nodeAgentConfig(logging),
    daemonSetVolumes: [
      { name: 'varlog', hostPath: { path: '/var/log' } },
      { name: 'state', hostPath: { path: STATE_DIRECTORY, type: 'DirectoryOrCreate' } },
    ],
    daemonSetVolumeMounts: [
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: STATE_DIRECTORY },
    ],
    testFramework: { enabled: false },
  };
}

/** The chart's values of the Events collector: one replica, non-root, allowed to watch Events (`rbac.eventsAccess`). */
export function fluentBitEventsHelmValues(logging: ClusterLogging): Record<string, unknown> {
  return {
    kind: 'Deployment',
    replicaCount: 1,
    rbac: { create: true, eventsAccess: true },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: AGENT_SECURITY_CONTEXT,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    config: eventsCollectorConfig(logging),
    testFramework: { enabled: false },
  };
}
