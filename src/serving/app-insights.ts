// Exports request telemetry to Application Insights through @azure/monitor-opentelemetry,
// when a connection string is given.
import { DiagLogLevel, SpanKind, SpanStatusCode, diag, trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';

export interface RequestRecord {
  requestId: string;
  method: string;
  route: string;
  url: string;
  status: number;
  startTimeMs: number;
  latencyMs: number;
  inputBytes: number;
  outputBytes: number;
  rows?: number;
  error?: string;
}

export interface AppInsightsExporter {
  trackRequest(record: RequestRecord): void;
  shutdown(): Promise<void>;
}

let started = false;

/**
 * Starts the Azure Monitor distro once per process (it installs global OpenTelemetry providers) and
 * records each request as a SERVER span, which Application Insights shows as a request with its
 * duration and result code. The server's HTTP module is loaded before this runs, so automatic HTTP
 * instrumentation is off and the spans are made here, with the same fields as the log lines.
 */
export async function startAppInsights(
  connectionString: string,
  attributes: Record<string, string>,
  logger: Logger,
): Promise<AppInsightsExporter> {
  if (started)
    throw new Error(
      'Application Insights export is already running in this process; run one scoring server per process',
    );
  const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, disableOfflineStorage: true },
    enableLiveMetrics: false,
    instrumentationOptions: { http: { enabled: false }, azureSdk: { enabled: false } },
  });
  started = true;
  // Exporter problems (ingestion unreachable, rejected items) go to the deployment log, not stdout, which the
  // workspace reads for the "listening" line.
  const log =
    (level: 'error' | 'warn') =>
    (message: string, ...args: unknown[]) =>
      logger[level]({ event: 'app-insights', args }, message);
  diag.setLogger(
    { error: log('error'), warn: log('warn'), info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const tracer: Tracer = trace.getTracer('amlops-serving');
  return {
    trackRequest(record) {
      const span = tracer.startSpan(`${record.method} ${record.route}`, {
        kind: SpanKind.SERVER,
        startTime: record.startTimeMs,
        attributes: {
          ...attributes,
          'http.method': record.method,
          'http.route': record.route,
          'http.url': record.url,
          'http.status_code': record.status,
          'http.request_content_length': record.inputBytes,
          'http.response_content_length': record.outputBytes,
          'x-ms-request-id': record.requestId,
          ...(record.rows !== undefined ? { 'scoring.rows': record.rows } : {}),
        },
      });
      if (record.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: record.error });
      span.end(record.startTimeMs + record.latencyMs);
    },
    async shutdown() {
      // Telemetry that cannot be delivered must not turn a clean shutdown into a failed one.
      try {
        await shutdownAzureMonitor();
      } catch (err) {
        logger.error(
          { event: 'app-insights', err },
          'Application Insights flush failed at shutdown; undelivered telemetry is dropped',
        );
      }
      started = false;
    },
  };
}
