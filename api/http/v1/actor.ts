import type { Request } from 'express';
import type { Actor } from '../../../core/shared/actor.js';

export const actorOf = (req: Request): Actor => ({
  auth: req.auth,
  ip: req.ip,
  userAgent: req.get('user-agent'),
});
