// The contract over Electron IPC: one channel, every call checked for its sender (only our own
// page, top frame) and handed to the session's dispatcher, which validates the arguments.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type Envelope } from '../core/api.js';
import type { Session } from '../core/session.js';

export function isTrustedSender(
  event: IpcMainInvokeEvent,
  window: BrowserWindow | null,
  pageUrl: string,
): boolean {
  const frame = event.senderFrame;
  if (!window || window.isDestroyed() || !frame) return false;
  if (event.sender !== window.webContents) return false;
  if (frame !== window.webContents.mainFrame) return false;
  // compare without query or hash: the page is a local file, the same one we loaded
  return frame.url.split(/[?#]/)[0] === pageUrl;
}

export function registerIpc(
  session: Session,
  getWindow: () => BrowserWindow | null,
  pageUrl: string,
): () => void {
  ipcMain.handle(
    IPC_INVOKE_CHANNEL,
    async (event, method: unknown, args: unknown): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event, getWindow(), pageUrl)) {
        return {
          ok: false,
          error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the ProxyScope window.' },
        };
      }
      return session.dispatch(method, args);
    },
  );
  const unsubscribe = session.onEvent((name, payload) => {
    const w = getWindow();
    if (w && !w.isDestroyed()) w.webContents.send(IPC_EVENT_CHANNEL, name, payload);
  });
  return () => {
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    unsubscribe();
  };
}
