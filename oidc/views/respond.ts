import type { Response } from 'express';
import { PAGE_CSP } from './layout.js';

/** Every Heimdall ID page goes out the same way: strict CSP, never cached, never framed. */
export function sendPage(res: Response, status: number, body: string): void {
  res
    .status(status)
    .set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' })
    .type('html')
    .send(body);
}
