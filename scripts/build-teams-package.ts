/**
 * Builds the Teams app package to upload (sideload) or publish: the manifest with your bot's app id
 * and domain filled in, and the two icons, zipped.
 *
 *   MICROSOFT_APP_ID=<app id> BOT_DOMAIN=quiz.example.com npm run teams:package
 *
 * Writes dist/aif-quiz-teams.zip.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';

const root = path.resolve(import.meta.dirname, '..');
const appId = process.env.MICROSOFT_APP_ID ?? '';
const domain = (process.env.BOT_DOMAIN ?? '').replace(/^https?:\/\//, '').replace(/\/.*$/, '');
const problems: string[] = [];
if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(appId)) {
  problems.push("MICROSOFT_APP_ID must be the Azure Bot registration's app (client) id, a GUID.");
}
if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain))
  problems.push('BOT_DOMAIN must be the public host name of the bot, e.g. quiz.example.com.');
if (problems.length > 0) {
  console.error(`Cannot build the Teams package:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const manifest = readFileSync(path.join(root, 'teams/manifest.json'), 'utf8')
  .replaceAll('{{MICROSOFT_APP_ID}}', appId)
  .replaceAll('{{BOT_DOMAIN}}', domain);
JSON.parse(manifest); // the filled-in manifest must still be JSON
const zip = zipSync({
  'manifest.json': new TextEncoder().encode(manifest),
  'color.png': readFileSync(path.join(root, 'teams/color.png')),
  'outline.png': readFileSync(path.join(root, 'teams/outline.png')),
});
mkdirSync(path.join(root, 'dist'), { recursive: true });
const out = path.join(root, 'dist/aif-quiz-teams.zip');
writeFileSync(out, zip);
console.log(
  `Wrote ${path.relative(process.cwd(), out)}: upload it in Teams (Apps → Manage your apps → Upload an app).`,
);
