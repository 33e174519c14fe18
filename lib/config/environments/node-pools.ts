import { NodePoolConfig } from '../environment-config';

/** What one machine offers pods (its allocatable); how many of them a zone runs is each environment's. */
type Machine = Pick<NodePoolConfig, 'cpuMillis' | 'memoryMi' | 'ephemeralStorageGi' | 'maxPods'>;

/*
 * Allocatable = capacity - kubeReserved - hard eviction threshold, with the reservations the EKS
 * node bootstrap writes into the kubelet config (awslabs/amazon-eks-ami, files/bootstrap.sh:
 * get_memory_mebibytes_to_reserve, get_cpu_millicores_to_reserve, and the evictionHard and
 * kubeReserved it sets):
 * - memory: 255 MiB + 11 MiB per pod of maxPods reserved, plus evictionHard memory.available 100Mi;
 * - CPU: 6% of the first core, 1% of the second, 0.5% of cores 3 and 4, 0.25% of every core above 4;
 * - ephemeral storage: kubeReserved 1Gi, plus evictionHard nodefs.available 10% of the root volume.
 * maxPods is 110, the kubelet's own default (kubernetes.io/docs/reference/command-line-tools-reference/kubelet,
 * --max-pods), set explicitly on the node group rather than EKS's per-ENI figure; the memory
 * reservation is computed for it. Memory capacity is taken as the machine's nominal size: the
 * kubelet reports the kernel's MemTotal, a little lower, so a real node's allocatable memory is
 * up to a few hundred MiB below these figures.
 */

/**
 * 16 vCPU / 64 GiB, e.g. m6i.4xlarge (aws.amazon.com/ec2/instance-types/m6i), with a 200 GiB root volume:
 * - CPU 16000m - (60 + 10 + 2 x 5 + 12 x 2.5 = 110m) = 15890m;
 * - memory 65536Mi - (255 + 11 x 110 = 1465Mi) - 100Mi = 63971Mi;
 * - ephemeral storage 200Gi - 1Gi - 20Gi = 179Gi.
 */
export const GENERAL_PURPOSE_16_VCPU: Machine = { cpuMillis: 15890, memoryMi: 63971, ephemeralStorageGi: 179, maxPods: 110 };

/**
 * 8 vCPU / 32 GiB, e.g. m6i.2xlarge, with a 100 GiB root volume:
 * - CPU 8000m - (60 + 10 + 2 x 5 + 4 x 2.5 = 90m) = 7910m;
 * - memory 32768Mi - 1465Mi - 100Mi = 31203Mi;
 * - ephemeral storage 100Gi - 1Gi - 10Gi = 89Gi.
 */
export const GENERAL_PURPOSE_8_VCPU: Machine = { cpuMillis: 7910, memoryMi: 31203, ephemeralStorageGi: 89, maxPods: 110 };

/*
 * maxNodesPerZone: the namespace's ResourceQuota (dist/<environment>/namespace.yaml, workload-quota:
 * every workload at its autoscaler maximum with release surge, plus the quota headroom) fits on
 * the zones' nodes with one node per zone to spare, so that a node can be drained or replaced
 * with the quota in use: quota <= zones x (maxNodesPerZone - 1) x allocatable, for requests.cpu,
 * requests.memory, requests.ephemeral-storage and pods (test/config/node-pool.test.ts checks it
 * against the rendered quota). Add-ons and DaemonSets are outside the namespace and its quota.
 */

/**
 * Production, 3 zones of 16-vCPU machines. Quota: 291 CPU, 577Gi memory, 1798Gi ephemeral, 136 pods.
 * Nodes per zone: CPU 291000 / (3 x 15890) = 6.10 -> 7; memory 590848 / (3 x 63971) = 3.08 -> 4;
 * ephemeral 1798 / (3 x 179) = 3.35 -> 4; pods 136 / (3 x 110) -> 1. CPU decides: 7 + 1 spare = 8.
 * Three nodes per zone at least: a node can be drained in each zone with two left to take its pods.
 */
export const PRODUCTION_NODE_POOL: NodePoolConfig = { ...GENERAL_PURPOSE_16_VCPU, minNodesPerZone: 3, maxNodesPerZone: 8 };

/**
 * Staging, the same machine over 3 zones. Quota: 132 CPU, 260Gi memory, 624Gi ephemeral, 68 pods.
 * Nodes per zone: CPU 132000 / (3 x 15890) = 2.77 -> 3; memory 266240 / (3 x 63971) = 1.39 -> 2;
 * ephemeral 624 / (3 x 179) = 1.16 -> 2; pods 68 / (3 x 110) -> 1. CPU decides: 3 + 1 spare = 4.
 */
export const STAGING_NODE_POOL: NodePoolConfig = { ...GENERAL_PURPOSE_16_VCPU, minNodesPerZone: 3, maxNodesPerZone: 4 };

/**
 * The development cluster's one node group (one zone, eu-west-1a), which development and the
 * pull-request previews share: 8-vCPU machines. Sized for development's quota and one preview's
 * at full quota beside it (each 14 CPU, 25Gi memory, 54Gi ephemeral, 26 pods): CPU 28000 / 7910
 * = 3.54 -> 4; memory 51200 / 31203 = 1.64 -> 2; ephemeral 108 / 89 = 1.21 -> 2; pods 52 / 110
 * -> 1. CPU decides: 4 + 1 spare = 5. More previews at once than fit stay Pending until one
 * closes: raise maxNodesPerZone by 2 per further preview at full quota.
 */
export const DEVELOPMENT_CLUSTER_NODE_POOL: NodePoolConfig = { ...GENERAL_PURPOSE_8_VCPU, minNodesPerZone: 1, maxNodesPerZone: 5 };
