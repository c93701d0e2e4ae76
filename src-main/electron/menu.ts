// The application menu. Items that need the page (open a capture, save a bundle) are sent to it as
// 'menu.command' events; the page says plainly when the engine behind them is not connected yet.
import { app, dialog, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { Session } from '../core/session.js';

export function buildMenu(session: Session, getWindow: () => BrowserWindow | null, configDir: string): Menu {
  const openCapture = async () => {
    const w = getWindow();
    const options = {
      title: 'Open capture',
      properties: ['openFile' as const],
      filters: [
        { name: 'Captures', extensions: ['pcapng', 'pcap', 'cap'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
    const picked = r.filePaths[0];
    if (!r.canceled && picked) session.emit('menu.command', { command: 'open-capture', path: picked });
  };
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open capture…', accelerator: 'CmdOrCtrl+O', click: () => void openCapture() },
        {
          label: 'Save bundle…',
          accelerator: 'CmdOrCtrl+S',
          click: () => session.emit('menu.command', { command: 'save-bundle' }),
        },
        { type: 'separator' },
        { label: 'Open settings folder', click: () => void shell.openPath(configDir) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'About ProxyScope', click: () => session.emit('menu.command', { command: 'about' }) },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
