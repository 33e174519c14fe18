import { k8s } from 'cdk8s-plus-27';
import { PROBE_PERIOD_SECONDS } from '../platform/probes';

/** What a probe runs: an HTTP GET, a command or a TCP connect. */
export type ProbeCheck = Pick<k8s.Probe, 'httpGet' | 'exec' | 'tcpSocket'>;

/** An HTTPS GET of `path` on the named container port; the kubelet does not verify the certificate, every other client does. */
export function httpsGet(path: string, portName: string): ProbeCheck {
  return { httpGet: { path, port: k8s.IntOrString.fromString(portName), scheme: 'HTTPS' } };
}

/** Gives a starting container `startupSeconds` (counted in probe periods) to pass `check` before it is restarted. */
export function startupProbe(check: ProbeCheck, startupSeconds: number, timeoutSeconds: number = 2): k8s.Probe {
  return { ...check, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: Math.ceil(startupSeconds / PROBE_PERIOD_SECONDS) };
}

/** Takes the pod out of its Services after two failed checks, back in after one success. */
export function readinessProbe(check: ProbeCheck, timeoutSeconds: number = 2): k8s.Probe {
  return { ...check, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds, failureThreshold: 2, successThreshold: 1 };
}

/** Restarts the container after three failed checks 10 s apart: only when a restart would help. */
export function livenessProbe(check: ProbeCheck, timeoutSeconds: number = 3): k8s.Probe {
  return { ...check, periodSeconds: 10, timeoutSeconds, failureThreshold: 3 };
}
