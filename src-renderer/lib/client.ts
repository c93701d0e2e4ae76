// The renderer's typed calls: `call('settings.get')` resolves to the data or throws an ApiError
// with the code the main side sent. Works the same over Electron IPC and the browser host.
import {
  ApiError,
  unwrap,
  type EventListener,
  type EventName,
  type MethodArgs,
  type MethodName,
  type MethodResult,
  type ProxyScopeBridge,
} from '../../src-main/core/api.js';

function bridge(): ProxyScopeBridge {
  const b = window.proxyscope;
  if (!b)
    throw new ApiError(
      'NOT_CONNECTED',
      'No connection to the ProxyScope app (window.proxyscope is missing).',
    );
  return b;
}

export async function call<M extends MethodName>(
  method: M,
  ...args: MethodArgs<M> extends Record<string, never> ? [] : [MethodArgs<M>]
): Promise<MethodResult<M>> {
  return unwrap(await bridge().invoke(method, args[0]));
}

/** Subscribes; returns the function that unsubscribes. */
export function subscribe<E extends EventName>(event: E, listener: EventListener<E>): () => void {
  const b = bridge();
  b.on(event, listener);
  return () => b.off(event, listener);
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.hint ? `${e.message} ${e.hint}` : e.message;
  return e instanceof Error ? e.message : String(e);
}
