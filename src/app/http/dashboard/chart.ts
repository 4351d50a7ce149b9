// The dashboard's chart of disputed and recovered amounts by month, drawn on the server as SVG by Vega-Lite
// (compiled to Vega, rendered headless with `view.toSVG()`: no browser, no canvas). The exact figures, each
// linked to its cases, are in the table beside it; the chart only plots them.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { toDecimalString } from '../../../domain/money.js';
import type { MonthFigures } from '../../../domain/portfolio.js';

export const monthName = (m: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${m}-01T00:00:00Z`),
  );

/** One currency's months as an SVG document (a string to embed inline). */
export async function monthsChart(currency: string, months: readonly MonthFigures[], locale: string): Promise<string> {
  const values = months.flatMap((m) => [
    {
      month: monthName(m.month, locale),
      key: m.month,
      series: 'Disputed',
      amount: Number(toDecimalString(m.disputed)),
    },
    {
      month: monthName(m.month, locale),
      key: m.month,
      series: 'Recovered',
      amount: Number(toDecimalString(m.recovered)),
    },
  ]);
  const spec: TopLevelSpec = {
    width: { step: 28 },
    height: 180,
    background: 'white',
    config: {
      aria: false,
      font: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
      axis: { labelFontSize: 12, titleFontSize: 12, labelColor: '#1b1f24', titleColor: '#1b1f24' },
      legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top', labelColor: '#1b1f24' },
      view: { stroke: null },
    },
    data: { values },
    mark: { type: 'bar', aria: false },
    encoding: {
      x: {
        field: 'month',
        type: 'ordinal',
        sort: { field: 'key' },
        title: null,
        axis: { labelAngle: 0, labelOverlap: true },
      },
      xOffset: { field: 'series', sort: ['Disputed', 'Recovered'] },
      y: { field: 'amount', type: 'quantitative', title: currency, axis: { format: ',.0f', tickCount: 4 } },
      color: {
        field: 'series',
        title: null,
        scale: { domain: ['Disputed', 'Recovered'], range: ['#a1150b', '#135c2b'] },
      },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
