import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  FieldColorModeId,
  GraphDrawStyle,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  MappingType,
  SortOrder,
  StackingMode,
  ThresholdsMode,
  TooltipDisplayMode,
  VisibilityMode,
  VizOrientation,
} from '@grafana/schema';
import type {
  DataQuery,
  DataSourceRef,
  GraphFieldConfig,
  Panel,
  ReduceDataOptions,
  RowPanel,
  Threshold,
  ThresholdsConfig,
  ValueMapping,
  VizLegendOptions,
  VizTooltipOptions,
} from '@grafana/schema';

/** Name of the dashboards' data source variable (type `prometheus`). */
export const DATASOURCE_VARIABLE = 'datasource';
/** Name of the dashboards' namespace variable; every selector is scoped to it. */
export const NAMESPACE_VARIABLE = 'namespace';
/** The Prometheus data source every panel and query reads, chosen through the data source variable. */
export const PROMETHEUS_DATASOURCE: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** The label matcher that scopes a selector to the selected namespace. */
export const IN_NAMESPACE = `namespace="$${NAMESPACE_VARIABLE}"`;
/** Grafana's rate window: at least four scrape intervals, so `rate()` always has two samples. */
export const RATE_INTERVAL = '$__rate_interval';

/**
 * A Prometheus query of a panel. A type alias (not an interface) so that it is assignable to
 * `Panel['targets']`, whose elements are plain records; the shared fields come from `DataQuery`.
 */
export type PrometheusTarget = Pick<DataQuery, 'refId' | 'datasource'> & {
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: boolean;
  readonly instant: boolean;
  readonly editorMode: 'code';
};

/** How a query is evaluated: a series over the dashboard's time range, or one value at its end. */
export enum QueryMode {
  RANGE = 'range',
  INSTANT = 'instant',
}

/**
 * A Prometheus query. `refId` is assigned by the panel (A, B, ...); the legend is a Grafana legend
 * format such as `{{pod}}`, or a fixed name.
 */
export function promTarget(expr: string, legend: string, mode: QueryMode = QueryMode.RANGE): Omit<PrometheusTarget, 'refId'> {
  return { datasource: PROMETHEUS_DATASOURCE, expr, legendFormat: legend, range: mode === QueryMode.RANGE, instant: mode === QueryMode.INSTANT, editorMode: 'code' };
}

/** Shows values as words, e.g. `{ '0': { text: 'ok', color: 'green' } }`. */
export function valueMappings(entries: Readonly<Record<string, { readonly text: string; readonly color: string }>>): ValueMapping[] {
  const options = Object.fromEntries(Object.entries(entries).map(([value, result], index) => [value, { text: result.text, color: result.color, index }]));
  return [{ type: MappingType.ValueToText, options }];
}

/** A threshold step: from `value` upwards (the first step starts at minus infinity: `null`). */
export interface ThresholdStep {
  readonly color: string;
  readonly value: number | null;
}

/** Green below `warning`, orange from it, red from `critical`: for values where higher is worse. */
export function higherIsWorse(warning: number, critical: number): ThresholdStep[] {
  return [{ color: 'green', value: null }, { color: 'orange', value: warning }, { color: 'red', value: critical }];
}

/** Red below `critical`, orange below `warning`, green from it: for values where lower is worse. */
export function lowerIsWorse(critical: number, warning: number): ThresholdStep[] {
  return [{ color: 'red', value: null }, { color: 'orange', value: critical }, { color: 'green', value: warning }];
}

/** What every panel has. */
export interface PanelCommon {
  readonly title: string;
  /** What the panel shows and what to do about it; shown as the panel's tooltip. */
  readonly description: string;
  /** Grafana unit id, e.g. `reqps`, `percentunit`, `s`, `bytes`, `short`. */
  readonly unit: string;
  readonly targets: readonly Omit<PrometheusTarget, 'refId'>[];
  /** Grid width in columns (of 24). */
  readonly width: number;
  /** Grid height in rows. */
  readonly height?: number;
  readonly thresholds?: readonly ThresholdStep[];
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  readonly mappings?: ValueMapping[];
}

export interface TimeSeriesOptions extends PanelCommon {
  /** Draw the thresholds as lines (for burn rates and objectives). */
  readonly showThresholds?: boolean;
  /** Stack the series (for parts of a whole, such as requests by status code). */
  readonly stacked?: boolean;
}

export type StatOptions = PanelCommon;

/** A panel before it is placed: everything but its id and grid position. */
export type UnplacedPanel = Omit<Panel, 'id' | 'gridPos'> & { readonly width: number; readonly height: number };

const DEFAULT_TIMESERIES_HEIGHT = 8;
const DEFAULT_STAT_HEIGHT = 4;

function thresholdsConfig(steps: readonly ThresholdStep[] | undefined): ThresholdsConfig {
  const list: Threshold[] = (steps ?? [{ color: 'green', value: null }]).map((step) => ({ color: step.color, value: step.value }));
  return { mode: ThresholdsMode.Absolute, steps: list };
}

function targetsWithRefIds(targets: readonly Omit<PrometheusTarget, 'refId'>[]): PrometheusTarget[] {
  if (targets.length === 0 || targets.length > 26) {
    throw new Error(`a panel has ${targets.length} queries; give it 1 to 26`);
  }
  return targets.map((target, index) => ({ refId: String.fromCharCode(65 + index), ...target }));
}

function common(options: PanelCommon, type: string, height: number): UnplacedPanel {
  return {
    type,
    title: options.title,
    description: options.description,
    datasource: PROMETHEUS_DATASOURCE,
    targets: targetsWithRefIds(options.targets),
    width: options.width,
    height: options.height ?? height,
  };
}

function fieldDefaults(options: PanelCommon) {
  return {
    unit: options.unit,
    thresholds: thresholdsConfig(options.thresholds),
    ...(options.min !== undefined ? { min: options.min } : {}),
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(options.decimals !== undefined ? { decimals: options.decimals } : {}),
    ...(options.mappings !== undefined ? { mappings: options.mappings } : {}),
  };
}

/** A time series panel with a table legend (mean, max, last) and a shared tooltip. */
export function timeSeries(options: TimeSeriesOptions): UnplacedPanel {
  const legend: VizLegendOptions = { displayMode: LegendDisplayMode.Table, placement: 'bottom', showLegend: true, calcs: ['mean', 'max', 'lastNotNull'] };
  const tooltip: VizTooltipOptions = { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending };
  const custom: GraphFieldConfig = {
    drawStyle: GraphDrawStyle.Line,
    lineWidth: 1,
    fillOpacity: options.stacked === true ? 30 : 10,
    showPoints: VisibilityMode.Never,
    spanNulls: false,
    stacking: { mode: options.stacked === true ? StackingMode.Normal : StackingMode.None, group: 'A' },
    thresholdsStyle: { mode: options.showThresholds === true ? GraphThresholdsStyleMode.Dashed : GraphThresholdsStyleMode.Off },
  };
  return {
    ...common(options, 'timeseries', DEFAULT_TIMESERIES_HEIGHT),
    options: { legend, tooltip },
    // Spread: `custom` is a plain record in the schema, and an interface value is not assignable to one.
    fieldConfig: { defaults: { ...fieldDefaults(options), color: { mode: FieldColorModeId.PaletteClassic }, custom: { ...custom } }, overrides: [] },
  };
}

/** A single value (the last one), coloured by its thresholds. */
export function stat(options: StatOptions): UnplacedPanel {
  const reduceOptions: ReduceDataOptions = { calcs: ['lastNotNull'], fields: '', values: false };
  return {
    ...common(options, 'stat', DEFAULT_STAT_HEIGHT),
    options: {
      reduceOptions,
      orientation: VizOrientation.Auto,
      colorMode: BigValueColorMode.Background,
      graphMode: BigValueGraphMode.None,
      justifyMode: BigValueJustifyMode.Auto,
      textMode: BigValueTextMode.Auto,
    },
    fieldConfig: { defaults: { ...fieldDefaults(options), color: { mode: FieldColorModeId.Thresholds } }, overrides: [] },
  };
}

/** A titled group of panels; it becomes a row panel followed by its panels. */
export interface DashboardSection {
  readonly title: string;
  readonly panels: readonly UnplacedPanel[];
}

const GRID_COLUMNS = 24;

/**
 * Places the sections top to bottom: a row panel for each, then its panels left to right,
 * wrapping at 24 columns. Ids are assigned in order from 1, so they are stable for the same input.
 */
export function layOut(sections: readonly DashboardSection[]): Array<Panel | RowPanel> {
  const placed: Array<Panel | RowPanel> = [];
  let id = 1;
  let y = 0;
  for (const section of sections) {
    placed.push({ type: 'row', id: id++, title: section.title, collapsed: false, panels: [], gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 } });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const { width, height, ...panel } of section.panels) {
      if (!Number.isInteger(width) || width < 1 || width > GRID_COLUMNS) {
        throw new Error(`panel "${panel.title}" is ${width} columns wide; use 1 to ${GRID_COLUMNS}`);
      }
      if (x + width > GRID_COLUMNS) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      placed.push({ ...panel, id: id++, gridPos: { x, y, w: width, h: height } });
      x += width;
      rowHeight = Math.max(rowHeight, height);
    }
    y += rowHeight;
  }
  return placed;
}
