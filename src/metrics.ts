/** Renders counters in the Prometheus text exposition format (`GET /metrics`). */
export function renderMetrics(
  metrics: Array<{
    name: string;
    help: string;
    type: 'counter' | 'gauge';
    value: number;
    labels?: Record<string, string>;
  }>,
): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const m of metrics) {
    if (!seen.has(m.name)) {
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      seen.add(m.name);
    }
    const labels = m.labels
      ? `{${Object.entries(m.labels)
          .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
          .join(',')}}`
      : '';
    out.push(`${m.name}${labels} ${Number.isFinite(m.value) ? m.value : 0}`);
  }
  return `${out.join('\n')}\n`;
}
