import { list, record, records, text } from '../json-access';
import { ContainerEntry, containersOf, PodTemplate, podSpecPath } from '../pod-templates';
import { Rule, RuleViolation } from '../rule';
import { podRule } from '../rule-builders';

/**
 * The Pod Security Standards `restricted` profile (which includes `baseline`), as enforced by Pod
 * Security Admission for Kubernetes 1.27: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports']);
const ALLOWED_VOLUME_SOURCES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function securityContextOf(entry: ContainerEntry) {
  return record(entry.container.securityContext);
}

function podSecurityContextOf(pod: PodTemplate) {
  return record(pod.spec.securityContext);
}

/** Checks one security-context field on the pod and on every container. */
function eachSecurityContext(pod: PodTemplate, check: (context: Record<string, unknown>, path: (string | number)[], where: string) => RuleViolation[]): RuleViolation[] {
  return [
    ...check(podSecurityContextOf(pod), podSpecPath(pod, 'securityContext'), 'the pod'),
    ...containersOf(pod).flatMap((entry) => check(securityContextOf(entry), [...entry.path, 'securityContext'], `container "${entry.name}"`)),
  ];
}

export const POD_SECURITY_RESTRICTED_RULES: readonly Rule[] = [
  podRule(
    {
      id: 'PSS-RESTRICTED-HOST-PROCESS',
      requirement: 'no Windows HostProcess pod or container (windowsOptions.hostProcess unset or false)',
      fix: 'Remove securityContext.windowsOptions.hostProcess.',
    },
    (pod) =>
      eachSecurityContext(pod, (context, path, where) =>
        record(context.windowsOptions).hostProcess === true ? [{ path: [...path, 'windowsOptions', 'hostProcess'], message: `${where} runs as a Windows HostProcess` }] : [],
      ),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-HOST-NAMESPACES',
      requirement: 'hostNetwork, hostPID and hostIPC are unset or false',
      fix: 'Remove hostNetwork, hostPID and hostIPC from the pod spec.',
    },
    (pod) =>
      (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((field) => pod.spec[field] === true)
        .map((field) => ({ path: podSpecPath(pod, field), message: `the pod sets ${field}: true and shares that host namespace` })),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-PRIVILEGED',
      requirement: 'no container runs privileged',
      fix: 'Remove securityContext.privileged (or set it to false).',
    },
    (pod) =>
      containersOf(pod)
        .filter((entry) => securityContextOf(entry).privileged === true)
        .map((entry) => ({ path: [...entry.path, 'securityContext', 'privileged'], message: `container "${entry.name}" is privileged` })),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-CAPABILITIES',
      requirement: 'every container drops ALL capabilities and adds none but NET_BIND_SERVICE',
      fix: 'Set securityContext.capabilities to { drop: [ALL] } and add only NET_BIND_SERVICE if the process binds a port below 1024.',
    },
    (pod) =>
      containersOf(pod).flatMap((entry) => {
        const capabilities = record(securityContextOf(entry).capabilities);
        const path = [...entry.path, 'securityContext', 'capabilities'];
        const violations: RuleViolation[] = [];
        if (!list(capabilities.drop).includes('ALL')) {
          violations.push({ path: [...path, 'drop'], message: `container "${entry.name}" does not drop ALL capabilities` });
        }
        for (const added of list(capabilities.add)) {
          if (added !== 'NET_BIND_SERVICE') {
            const level = BASELINE_CAPABILITIES.has(String(added)) ? 'restricted' : 'baseline';
            violations.push({ path: [...path, 'add'], message: `container "${entry.name}" adds capability ${String(added)} (not allowed by ${level})` });
          }
        }
        return violations;
      }),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-HOST-PATH',
      requirement: 'no hostPath volume',
      fix: 'Replace the hostPath volume with an emptyDir, configMap, secret, projected or persistentVolumeClaim volume.',
    },
    (pod) =>
      records(pod.spec.volumes).flatMap((volume, index) =>
        volume.hostPath !== undefined ? [{ path: podSpecPath(pod, 'volumes', index, 'hostPath'), message: `volume "${text(volume.name) ?? index}" mounts host path ${JSON.stringify(record(volume.hostPath).path)}` }] : [],
      ),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-VOLUME-TYPES',
      requirement: 'volumes are only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret',
      fix: 'Use one of the allowed volume types (usually a persistentVolumeClaim or an ephemeral volume).',
    },
    (pod) =>
      records(pod.spec.volumes).flatMap((volume, index) =>
        Object.keys(volume)
          .filter((key) => key !== 'name' && key !== 'hostPath' && !ALLOWED_VOLUME_SOURCES.has(key))
          .map((key) => ({ path: podSpecPath(pod, 'volumes', index, key), message: `volume "${text(volume.name) ?? index}" has restricted type ${key}` })),
      ),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-HOST-PORTS',
      requirement: 'no container port sets hostPort (other than 0)',
      fix: 'Remove hostPort; expose the port through a Service instead.',
    },
    (pod) =>
      containersOf(pod).flatMap((entry) =>
        records(entry.container.ports).flatMap((port, index) =>
          port.hostPort !== undefined && port.hostPort !== 0 ? [{ path: [...entry.path, 'ports', index, 'hostPort'], message: `container "${entry.name}" binds host port ${String(port.hostPort)}` }] : [],
        ),
      ),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-APPARMOR',
      requirement: 'AppArmor annotations, where set, are runtime/default or localhost/*',
      fix: 'Set the container.apparmor.security.beta.kubernetes.io annotation to runtime/default, or remove it.',
    },
    (pod) =>
      Object.entries(pod.annotations)
        .filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION_PREFIX) && value !== 'runtime/default' && !value.startsWith('localhost/'))
        .map(([key, value]) => ({ path: [...pod.path, 'metadata', 'annotations', key], message: `AppArmor profile ${JSON.stringify(value)} is not allowed` })),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-SELINUX',
      requirement: 'seLinuxOptions.type is unset, container_t, container_init_t or container_kvm_t; user and role are unset',
      fix: 'Remove seLinuxOptions, or keep only an allowed type.',
    },
    (pod) =>
      eachSecurityContext(pod, (context, path, where) => {
        const options = record(context.seLinuxOptions);
        const violations: RuleViolation[] = [];
        if (options.type !== undefined && !ALLOWED_SELINUX_TYPES.has(String(options.type))) {
          violations.push({ path: [...path, 'seLinuxOptions', 'type'], message: `${where} sets SELinux type ${String(options.type)}` });
        }
        for (const field of ['user', 'role']) {
          if (options[field] !== undefined && options[field] !== '') {
            violations.push({ path: [...path, 'seLinuxOptions', field], message: `${where} sets SELinux ${field}` });
          }
        }
        return violations;
      }),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-PROC-MOUNT',
      requirement: 'procMount is unset or Default',
      fix: 'Remove securityContext.procMount.',
    },
    (pod) =>
      containersOf(pod)
        .filter((entry) => securityContextOf(entry).procMount !== undefined && securityContextOf(entry).procMount !== 'Default')
        .map((entry) => ({ path: [...entry.path, 'securityContext', 'procMount'], message: `container "${entry.name}" unmasks /proc` })),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-SECCOMP',
      requirement: 'seccompProfile.type is RuntimeDefault or Localhost for the pod or every container, and never Unconfined',
      fix: 'Set spec.securityContext.seccompProfile.type to RuntimeDefault.',
    },
    (pod) => {
      const allowed = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
      const podType = record(podSecurityContextOf(pod).seccompProfile).type;
      const violations: RuleViolation[] = [];
      if (podType !== undefined && !allowed(podType)) {
        violations.push({ path: podSpecPath(pod, 'securityContext', 'seccompProfile', 'type'), message: `the pod's seccomp profile is ${String(podType)}` });
      }
      for (const entry of containersOf(pod)) {
        const type = record(securityContextOf(entry).seccompProfile).type;
        // A container without its own profile inherits the pod's: allowed, or reported above.
        const inheritsReportedProfile = type === undefined && podType !== undefined;
        if (!inheritsReportedProfile && !allowed(type ?? podType)) {
          violations.push({ path: [...entry.path, 'securityContext', 'seccompProfile', 'type'], message: `container "${entry.name}" runs with seccomp profile ${String(type ?? podType ?? 'unset')}` });
        }
      }
      return violations;
    },
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-SYSCTLS',
      requirement: 'only the safe sysctls are set',
      fix: 'Remove the sysctl, or set it on the node instead.',
    },
    (pod) =>
      records(podSecurityContextOf(pod).sysctls)
        .map((sysctl, index) => ({ name: String(sysctl.name), index }))
        .filter(({ name }) => !SAFE_SYSCTLS.has(name))
        .map(({ name, index }) => ({ path: podSpecPath(pod, 'securityContext', 'sysctls', index), message: `unsafe sysctl ${name}` })),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-PRIVILEGE-ESCALATION',
      requirement: 'every container sets allowPrivilegeEscalation: false',
      fix: 'Set securityContext.allowPrivilegeEscalation to false.',
    },
    (pod) =>
      containersOf(pod)
        .filter((entry) => securityContextOf(entry).allowPrivilegeEscalation !== false)
        .map((entry) => ({ path: [...entry.path, 'securityContext', 'allowPrivilegeEscalation'], message: `container "${entry.name}" allows privilege escalation` })),
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-RUN-AS-NON-ROOT',
      requirement: 'runAsNonRoot is true for the pod or every container, and never false',
      fix: 'Set spec.securityContext.runAsNonRoot to true (and remove any container-level false).',
    },
    (pod) => {
      const podValue = podSecurityContextOf(pod).runAsNonRoot;
      return containersOf(pod)
        .filter((entry) => (securityContextOf(entry).runAsNonRoot ?? podValue) !== true)
        .map((entry) => ({ path: [...entry.path, 'securityContext', 'runAsNonRoot'], message: `container "${entry.name}" may run as root` }));
    },
  ),
  podRule(
    {
      id: 'PSS-RESTRICTED-RUN-AS-USER',
      requirement: 'runAsUser is never 0',
      fix: 'Set runAsUser to a non-zero UID (e.g. 10001).',
    },
    (pod) =>
      eachSecurityContext(pod, (context, path, where) => (context.runAsUser === 0 ? [{ path: [...path, 'runAsUser'], message: `${where} runs as UID 0` }] : [])),
  ),
];
