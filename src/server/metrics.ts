/**
 * GET /metrics: what operators (and the benchmark) read, in Prometheus' text format so that any
 * scraper can too.
 */
export interface MetricSources {
  sqlStatements: () => number;
  openEventStreams: () => number;
  runningSessions: () => number;
}

export function renderMetrics(sources: MetricSources): string {
  return [
    ['asg_sql_statements_total', 'counter', 'SQL statements sent to the database', sources.sqlStatements()],
    ['asg_event_streams_open', 'gauge', 'sessionEvents subscriptions open', sources.openEventStreams()],
    ['asg_sessions_running', 'gauge', 'sessions with a runtime in this process', sources.runningSessions()],
    ['process_resident_memory_bytes', 'gauge', 'resident memory of this process', process.memoryUsage.rss()],
  ]
    .map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`)
    .join('');
}
