// Entry of the page. In Electron the preload has already put `window.proxyscope` in place; in a
// browser the page came from the host, and the token in its URL opens the WebSocket.
import { mount } from 'svelte';
import App from './App.svelte';
import { createWsBridge } from './lib/ws-bridge.js';
import './styles.css';

let disconnected = false;
const onDisconnect: (() => void)[] = [];

if (!window.proxyscope) {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const bridge = createWsBridge(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  bridge.onDisconnect(() => {
    disconnected = true;
    for (const cb of onDisconnect) cb();
  });
  window.proxyscope = { invoke: bridge.invoke, on: bridge.on, off: bridge.off };
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, {
  target,
  props: {
    watchDisconnect: (cb: () => void) => {
      if (disconnected) cb();
      else onDisconnect.push(cb);
    },
  },
});
