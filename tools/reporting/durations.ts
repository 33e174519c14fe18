/**
 * Parses a Kubernetes/Argo duration into seconds: a number of seconds, or a string of `<n><unit>`
 * parts with units ms, s, m, h (e.g. `30s`, `5m`, `1h30m`). A bare numeric string is seconds.
 * Undefined when `value` is not a literal duration (e.g. an unresolved `{{args.interval}}`).
 */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return value;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) {
    return undefined;
  }
  const factor: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let seconds = 0;
  for (const [, amount, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) {
    seconds += Number(amount) * factor[unit];
  }
  return seconds;
}

/**
 * Resolves an int-or-percent (maxSurge, maxUnavailable) against `replicas` the way Kubernetes
 * does: percentages round up for maxSurge and down for maxUnavailable.
 */
export function resolveIntOrPercent(value: unknown, replicas: number, fallback: string, roundUp: boolean): number {
  const raw = value ?? fallback;
  if (typeof raw === 'number') {
    return raw;
  }
  const match = /^(\d+)%$/.exec(String(raw));
  if (!match) {
    const parsed = Number(raw);
    return Number.isFinite(parsed) ? parsed : 0;
  }
  const exact = (Number(match[1]) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
