import { App, Chart } from 'cdk8s';
import { EnvironmentChart } from '../../charts/environment-chart';
import { EnvironmentConfig } from '../../lib/config/environment-config';

/** A rendered Kubernetes object, loosely typed for assertions. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> }; spec?: any; [key: string]: any };

export function renderChart(config: EnvironmentConfig): KubeObject[] {
  const app = new App();
  return new EnvironmentChart(app, config.name, { config }).toJson() as KubeObject[];
}

/** A bare chart to put a single construct in. */
export function emptyChart(): Chart {
  return new Chart(new App(), 'test');
}

export function objectsOf(chart: Chart): KubeObject[] {
  return chart.toJson() as KubeObject[];
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const match = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!match) {
    throw new Error(`no ${kind} named ${name}; have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return match;
}

export function kinds(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** Every container of every pod template. */
export function containers(objects: readonly KubeObject[]): any[] {
  return kinds(objects, 'Deployment').flatMap((d) => d.spec.template.spec.containers);
}
