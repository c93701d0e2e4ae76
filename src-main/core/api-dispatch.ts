// The one place where a call from either transport meets the contract: it refuses unknown methods,
// validates the arguments with the method's schema (naming the failing field), runs the
// implementation and wraps whatever happens in an envelope. Transports only move envelopes.
import type { z } from 'zod';
import {
  ApiError,
  isMethodName,
  methods,
  type Envelope,
  type MethodName,
  type MethodResult,
  type ParsedArgs,
} from './api.js';

export type MethodHandlers = {
  [M in MethodName]: (args: ParsedArgs<M>) => Promise<MethodResult<M>> | MethodResult<M>;
};

export type Dispatch = (method: unknown, args: unknown) => Promise<Envelope<unknown>>;

/** "proxy.port: between 1 and 65535" for the first issue; the field path is what the user needs. */
export function describeIssues(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '(arguments)', message: 'invalid' };
  const field = issue.path.length ? issue.path.map(String).join('.') : '(arguments)';
  return { field, message: issue.message };
}

export function createDispatcher(handlers: MethodHandlers, onInternalError?: (e: unknown) => void): Dispatch {
  return async (method, args) => {
    try {
      if (!isMethodName(method)) {
        throw new ApiError(
          'UNKNOWN_METHOD',
          `Unknown method '${typeof method === 'string' ? method : typeof method}'.`,
          'The page and the app come from different builds: rebuild with `npm run build` and reload.',
        );
      }
      const parsed = methods[method].args.safeParse(args ?? {});
      if (!parsed.success) {
        const { field, message } = describeIssues(parsed.error);
        throw new ApiError(
          'BAD_ARGS',
          `${method}: invalid argument '${field}': ${message}.`,
          `Correct '${field}' and try again.`,
        );
      }
      const handler = handlers[method] as (a: unknown) => unknown;
      const data = await handler(parsed.data);
      return { ok: true, data };
    } catch (e) {
      if (e instanceof ApiError) return { ok: false, error: e.toBody() };
      onInternalError?.(e);
      const message = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: `${String(method)} failed: ${message}`,
          hint: 'This is a bug; the log has the details.',
        },
      };
    }
  };
}
