// The browser host's `window.proxyscope`: the same {invoke, on, off} as the Electron preload,
// carried over one WebSocket to the host (token from the page URL).
import {
  fromWire,
  isEventName,
  type Envelope,
  type EventName,
  type ProxyScopeBridge,
  type WsServerMessage,
} from '../../src-main/core/api.js';

type Listener = (payload: unknown) => void;

export interface WsBridge extends ProxyScopeBridge {
  /** called when the host goes away (closed tab of the terminal, host stopped) */
  onDisconnect(cb: () => void): void;
}

export function createWsBridge(socketUrl: string): WsBridge {
  const ws = new WebSocket(socketUrl);
  const pending = new Map<number, (e: Envelope<unknown>) => void>();
  const listeners = new Map<EventName, Set<Listener>>();
  const disconnectCallbacks: (() => void)[] = [];
  let nextId = 1;
  let closed = false;
  const opened = new Promise<void>((resolve) => ws.addEventListener('open', () => resolve(), { once: true }));

  const gone: Envelope<never> = {
    ok: false,
    error: {
      code: 'NOT_CONNECTED',
      message: 'The ProxyScope host is not reachable.',
      hint: 'Start it again (npm run start:web) and open the URL it prints.',
    },
  };

  ws.addEventListener('message', (ev) => {
    let msg: WsServerMessage;
    try {
      msg = fromWire(String(ev.data)) as WsServerMessage;
    } catch {
      return;
    }
    if ('id' in msg) {
      pending.get(msg.id)?.(msg.envelope);
      pending.delete(msg.id);
    } else if (isEventName(msg.event)) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    }
  });
  ws.addEventListener('close', () => {
    closed = true;
    for (const resolve of pending.values()) resolve(gone);
    pending.clear();
    for (const cb of disconnectCallbacks) cb();
  });

  const bridge: WsBridge = {
    async invoke(method, args) {
      await Promise.race([
        opened,
        new Promise<void>((r) => ws.addEventListener('close', () => r(), { once: true })),
      ]);
      if (closed) return gone;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (e: Envelope<unknown>) => void);
        ws.send(JSON.stringify({ id, method, args }));
      });
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener);
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener as Listener);
    },
    onDisconnect(cb) {
      if (closed) cb();
      else disconnectCallbacks.push(cb);
    },
  };
  return bridge;
}
