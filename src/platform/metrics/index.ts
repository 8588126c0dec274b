export { createMetricsEndpoint, type MetricsEndpoint, type MetricsSources } from './endpoint.js';
export { failureSource, type FailureSource } from './failures.js';
export {
  countAdmissionFailures,
  countEnqueued,
  countFailure,
  countSend,
  countUpdate,
  observeJob,
  observeUpdate,
  processRegistry,
  type SendOutcome,
  type UpdateOutcome,
} from './instruments.js';
