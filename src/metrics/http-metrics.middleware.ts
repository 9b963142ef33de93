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
