import { z } from 'zod';

/** `/v1/2fa`. Codes: 6 digits from the app, or a backup code like `abcde-fghjk`. */
const code = z
  .string()
  .trim()
  .min(6)
  .max(32)
  .describe('A 6-digit code from the authenticator app, or a backup code');

export const twoFactorStatusQuery = z.object({
  user_id: z.uuid().optional().describe('Someone else (needs two_factor:read)'),
});
export const twoFactorStatusSchema = z.object({
  enabled: z.boolean(),
  enabled_at: z.date().nullable(),
  required: z.boolean().describe('A role of the user requires 2FA'),
  backup_codes_remaining: z.number().int(),
});
export const twoFactorSetupSchema = z.object({
  secret: z.string().describe('Base32; for typing into an app that cannot scan'),
  otpauth_uri: z.string(),
  qr_code: z.string().describe('data:image/png;base64 QR code of otpauth_uri'),
});
export const twoFactorCodeBody = z.strictObject({ code });
export const backupCodesSchema = z.object({
  backup_codes: z.array(z.string()).describe('Shown only now: store them somewhere safe'),
});
export const twoFactorVerifiedSchema = z.object({
  verified: z.literal(true),
  method: z.enum(['totp', 'backup_code']),
});
export const twoFactorDisableBody = z.strictObject({
  code: code.optional(),
  password: z.string().max(1024).optional().describe('Your password (email accounts)'),
  user_id: z.uuid().optional().describe('Reset someone else’s 2FA (needs two_factor:manage)'),
});
export const backupCodeCountSchema = z.object({ remaining: z.number().int(), total: z.number().int() });
