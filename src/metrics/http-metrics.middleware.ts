import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service.js';

/**
 * Times every request under its route pattern (never the concrete path: ids would explode labels) and
 * the status it was answered with. Counted when the answer is sent, so a refusal counts as what it was:
 * an interceptor saw the route's success status before the exception filter set a 400 or a 500, and
 * never saw a 401 or 403 (guards run before interceptors). Requests answered before routing (a body
 * refused by the parsers or the input checks, a path no route has) count under `unmatched`; the docs
 * and the dashboard under their mount path.
 */
export function httpMetrics(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const stop = metrics.httpRequests.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: routeOf(req), status: String(res.statusCode) });
    });
    next();
  };
}

const MOUNTS = /^\/(docs-json|docs|queues)(?=[/?]|$)/;

function routeOf(req: Request): string {
  const mount = MOUNTS.exec(req.originalUrl)?.[0];
  if (mount) return mount;
  return (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
}

/**
 * The same histogram for answers given ahead of Express (bootstrap's serveAhead), which pass no
 * middleware: the caller names the route pattern. Each label set's child is kept (no label hashing per
 * request).
 */
export function observeAhead(metrics: MetricsService) {
  const children = new Map<string, { observe(seconds: number): void }>();
  return (method: string, route: string, status: number, startedAt: number): void => {
    const key = `${method} ${route} ${status}`;
    let child = children.get(key);
    if (child === undefined) {
      child = metrics.httpRequests.labels(method, route, String(status));
      children.set(key, child);
    }
    child.observe((performance.now() - startedAt) / 1000);
  };
}
