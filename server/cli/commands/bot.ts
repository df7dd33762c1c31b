import { BotConfigError, loadHostConfig } from '../../../bots/host/config.js';
import { isBotPlatform, PLATFORM_FACTORIES } from '../../../bots/host/platforms.js';
import { jsonLog, startBotHost } from '../../../bots/host/run.js';
import { UsageError, type CliIo } from '../io.js';

/**
 * `heimdall bot discord|twitch|youtube [--config FILE]`: runs one platform's bot against a Heimdall it reaches over
 * HTTP, as any other app would (it needs none of Heimdall's own configuration or databases). Serves until
 * SIGINT/SIGTERM. Exit 2 for a bad platform or configuration.
 */
export async function botCommand(
  platform: string | undefined,
  configOption: string | undefined,
  io: CliIo,
): Promise<number> {
  if (!platform || !isBotPlatform(platform)) {
    throw new UsageError(`Name the bot's platform: heimdall bot discord|twitch|youtube.`);
  }
  const path = configOption ?? io.env.HEIMDALL_BOT_CONFIG ?? 'config/bot.toml';
  let host;
  try {
    const { host: hostConfig, raw } = loadHostConfig(path);
    host = await startBotHost({
      platform,
      host: hostConfig,
      env: io.env,
      createBot: (client, onError) => PLATFORM_FACTORIES[platform](raw, client, onError),
    });
  } catch (err) {
    if (err instanceof BotConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  io.stdout.write(`The ${platform} bot runs as ${host.bot.botId()}; health at ${host.healthUrl}/health\n`);
  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(1);
      signalled = true;
      jsonLog('info', `${signal}: stopping`);
      host.stop().then(
        () => resolve(0),
        (err: unknown) => {
          jsonLog('error', 'error during shutdown', err);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
