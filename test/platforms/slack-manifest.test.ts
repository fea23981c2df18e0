import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_SCOPES } from '../../src/platforms/slack/slack-app.js';
import { ROOT } from '../support/cli.js';

describe('the Slack app manifest', () => {
  const manifest = parse(readFileSync(path.join(ROOT, 'slack-manifest.yml'), 'utf8'));

  it('asks for exactly the scopes the app uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...SLACK_SCOPES].sort());
  });

  it('sends commands, interactivity and events to the one /slack/events URL', () => {
    expect(manifest.features.slash_commands[0].command).toBe('/aif-quiz');
    for (const url of [
      manifest.features.slash_commands[0].url,
      manifest.settings.interactivity.request_url,
      manifest.settings.event_subscriptions.request_url,
    ]) {
      expect(new URL(url).pathname).toBe('/slack/events');
    }
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['app_home_opened', 'app_uninstalled', 'tokens_revoked']),
    );
    expect(new URL(manifest.oauth_config.redirect_urls[0]).pathname).toBe('/slack/oauth_redirect');
  });
});
