export { startLab, type Lab, type LabProbeOptions, type StartLabOptions } from './lab.js';
export {
  LAB_SCENARIOS,
  SCENARIO_INFO,
  LAB_CREDENTIALS,
  LAB_DOWNLOAD_URL,
  isLabScenario,
  type LabScenario,
  type LabScenarioInfo,
} from './scenarios.js';
export { ensureLabCertificates, defaultLabDir, type LabCertificates } from './certificates.js';
