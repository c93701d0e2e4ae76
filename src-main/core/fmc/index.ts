export {
  parseIprepProxyConf,
  formatIprepProblems,
  type IprepProxyConf,
  type IprepProblem,
  type IprepParseResult,
  type IprepEntry,
} from './iprep-conf.js';
export {
  validateFmcSettings,
  compareConfWithSettings,
  passwordProblem,
  isFqdn,
  FQDN_MAX_WITH_SMART_LICENSING,
  type FmcProxySettings,
  type SettingsProblem,
  type ConfigMismatch,
} from './settings.js';
export { fmcCommands, shellQuote, type FmcCommand, type CommandOptions } from './commands.js';
