/**
 * Seconds between two startup or readiness probes of every workload: a pod that stops being ready
 * leaves its Services within two periods, and a startup budget is counted in these periods.
 */
export const PROBE_PERIOD_SECONDS = 5;
