import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.js';
import { useTestPlatform } from '../support/platform.js';
import { freePort } from '../support/ports.js';
import { userWith, waitUntil } from '../support/realtime.js';

const GUILD = '500000000000000001';
const CHANNEL = '510000000000000001';
const MEMBER = '600000000000000001';

/** Runs the built `heimdall bot …` as an operator does; answers its exit and everything it printed. */
function runBot(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.resolve('dist/server/cli/main.js'), 'bot', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, exited };
}

/** `heimdall bot discord|twitch|youtube`: a process with its own TOML, health and metrics, stopped by a signal. */
describe('heimdall bot', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' }, ['api', 'realtime']);
  let discord: FakeDiscord;
  let dir: string;

  beforeAll(async () => {
    discord = await startFakeDiscord({
      guilds: [
        {
          id: GUILD,
          channels: [{ id: CHANNEL, name: 'general' }],
          members: [{ id: MEMBER, username: 'ask' }],
        },
      ],
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-bot-cli-'));
  });
  afterAll(() => discord?.close());

  it('runs the Discord bot from its TOML, answers in chat, serves health and metrics, and stops on SIGTERM', async () => {
    const key = (
      await userWith(t.db, [
        'discord:read',
        'audit:write',
        'settings:read',
        'settings:write',
        'realtime:publish',
      ])
    ).key;
    const port = await freePort();
    const config = path.join(dir, 'bot.toml');
    writeFileSync(
      config,
      [
        '[heimdall]',
        `url = "${t.url}"`,
        '[health]',
        `port = ${port}`,
        '[bot]',
        'security_notices = false',
        '[discord]',
        `token = "${discord.botToken}"`,
        `api_url = "${discord.restUrl}"`,
      ].join('\n'),
    );
    const bot = runBot(['discord', '--config', config], { HEIMDALL_BOT_API_KEY: key });
    try {
      await waitUntil(() => bot.out.stdout.includes('health at'), 'the bot to start', 30_000);
      expect(bot.out.stdout).toBe(
        `The discord bot runs as ${discord.bot.id}; health at http://127.0.0.1:${port}/health\n`,
      );
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await health.json()).toEqual({ status: 'ok', platform: true, realtime: true });

      // Anyone may ask for nothing: an unknown command is answered without a permission check.
      const id = discord.sendMessage(GUILD, CHANNEL, MEMBER, '!hello');
      await waitUntil(() => discord.messages.some((m) => m.replyTo === id), 'the reply');
      expect(discord.messages.find((m) => m.replyTo === id)!.content).toBe('Unknown command "hello".');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(
        /heimdall_bot_messages_total\{outcome="unknown_command",platform="discord"\} 1/,
      );
      // Secrets stay out of what it prints.
      expect(bot.out.stdout + bot.out.stderr).not.toContain(key);
      expect(bot.out.stdout + bot.out.stderr).not.toContain(discord.botToken);
    } finally {
      bot.child.kill('SIGTERM');
    }
    expect(await bot.exited).toBe(0);
  });

  it('refuses a bad configuration, a missing credential and an unknown platform with exit 2', async () => {
    const bad = path.join(dir, 'bad.toml');
    writeFileSync(bad, '[heimdall]\nurl = "not a url"\n[discord]\napi_url = 3\n');
    const invalid = runBot(['discord', '--config', bad]);
    expect(await invalid.exited).toBe(2);
    expect(invalid.out.stderr).toContain('heimdall.url');

    const good = path.join(dir, 'no-key.toml');
    writeFileSync(good, `[heimdall]\nurl = "${t.url}"\n[discord]\ntoken = "x"\n`);
    const keyless = runBot(['discord', '--config', good]);
    expect(await keyless.exited).toBe(2);
    expect(keyless.out.stderr).toContain('[heimdall] needs a credential');

    const section = path.join(dir, 'no-section.toml');
    writeFileSync(section, `[heimdall]\nurl = "${t.url}"\n[health]\nport = 0\n`);
    const sectionless = runBot(['twitch', '--config', section], { HEIMDALL_BOT_API_KEY: 'hm_x' });
    expect(await sectionless.exited).toBe(2);
    expect(sectionless.out.stderr).toContain('twitch.client_id');

    const missing = runBot(['discord', '--config', path.join(dir, 'nowhere.toml')]);
    expect(await missing.exited).toBe(2);
    expect(missing.out.stderr).toContain('Cannot read');

    const unknown = runBot(['irc']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.out.stderr).toContain('heimdall bot discord|twitch|youtube');
  });
});
