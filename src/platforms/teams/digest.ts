import type { Activity, Attachment } from 'botbuilder';
import type { WeeklyDigest } from '../../quiz/quiz.js';
import { renderDigestText } from '../../quiz/render-text.js';
import { markdown } from './activity.js';
import { card, cardAttachment, text } from './cards.js';

/**
 * The largest digest chart PNG sent inline. Teams counts a bot message's text and cards against
 * its size limit (about 100 KB, 80 KB advised; older guidance said 40 KB, and earlier still about
 * 28 KB) but leaves base64 images out of that count, while the Bot Connector refuses any request
 * over 256 KB. 48 KB of PNG is 64 KB as a data URL: far inside the connector's cap beside a digest
 * of a few KB, and above the ~36 KB chart at full size, so the chart is normally sent sharp.
 */
export const TEAMS_CHART_MAX_PNG_BYTES = 48 * 1024;

/** The digest as one Teams message: its text, the chart inline, and a card with the trap's button. */
export function digestActivity(digest: WeeklyDigest, options: { withChart: boolean }): Partial<Activity> {
  const attachments: Attachment[] = [];
  const chart = options.withChart ? digest.chart : undefined;
  if (chart)
    attachments.push({
      contentType: 'image/png',
      contentUrl: `data:image/png;base64,${chart.png.toString('base64')}`,
      name: `digest-${digest.week}.png`,
    });
  const body: Array<Record<string, unknown>> = [];
  const actions: Array<Record<string, unknown>> = [];
  if (digest.traps) {
    body.push(text(`Try a question on the topic of this week's trap: **${digest.traps.topicTitle}**`));
    actions.push({
      type: 'Action.Submit',
      title: `Practise ${digest.traps.topicTitle}`,
      data: { aifq: 'topic', t: digest.traps.topic },
    });
  }
  if (chart) {
    // An image attachment has no alt text in Teams: the same figures in words, a tap away.
    if (body.length === 0) body.push(text('The chart above shows the last weeks in this channel.'));
    actions.push({
      type: 'Action.ShowCard',
      title: 'The chart in words',
      // A TextBlock joins single line breaks, as Teams markdown does: one blank line per line of text.
      card: card([text(chart.altText.replace(/\n/g, '\n\n'), { size: 'Small' })]),
    });
  }
  if (body.length > 0) attachments.push(cardAttachment(card(body, actions)));
  return {
    text: markdown(renderDigestText(digest)),
    textFormat: 'markdown',
    ...(attachments.length > 0 ? { attachments } : {}),
  };
}
