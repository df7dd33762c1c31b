import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { securePage } from '../adminjs-internals.js';

/**
 * The panel's pages under a Content-Security-Policy: scripts only from the panel itself plus AdminJS's inline
 * bootstrap scripts, each marked with this response's nonce; connections to the panel and the realtime
 * service; images from the panel, data URLs and the configured map tiles. Styles may be inline (AdminJS's
 * styled-components writes them at run time). Nothing may frame the panel, and no answer is cached.
 */
export function panelPageSecurity(options: {
  realtimeOrigin: string;
  tileOrigin: string | undefined;
}): RequestHandler {
  return (req, res, next) => {
    const nonce = randomBytes(16).toString('base64');
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self' 'unsafe-inline'",
        `img-src 'self' data: blob:${options.tileOrigin ? ` ${options.tileOrigin}` : ''}`,
        "font-src 'self' data:",
        `connect-src 'self' ${options.realtimeOrigin}`,
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
      ].join('; '),
    );
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cache-Control', 'no-store');
    const send = res.send.bind(res);
    res.send = (body?: unknown) =>
      send(
        typeof body === 'string' && body.includes('<html')
          ? securePage(body, nonce, req.acceptsLanguages('en', 'de') || 'en')
          : body,
      );
    next();
  };
}
