import type { ProxyScopeBridge } from '../src-main/core/api.js';

declare global {
  interface Window {
    proxyscope?: ProxyScopeBridge;
  }
}

export {};
