/**
 * Draws the Teams app icons (a 192×192 colour icon and a 32×32 white-on-transparent outline) as
 * PNG files. Run once when the design changes: `npx tsx scripts/make-teams-icons.ts`.
 */
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

type Pixel = [number, number, number, number];

function png(size: number, paint: (x: number, y: number) => Pixel): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let x = 0; x < size; x++) Buffer.from(paint(x, y)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A question mark in a rounded square: AWS-dark background, orange mark. */
function mark(x: number, y: number, size: number): boolean {
  const u = x / size;
  const v = y / size;
  const ring = Math.hypot(u - 0.5, v - 0.38);
  const arc = ring > 0.13 && ring < 0.2 && !(v > 0.38 && u < 0.5);
  const stem = u > 0.46 && u < 0.54 && v > 0.5 && v < 0.64;
  const dot = Math.hypot(u - 0.5, v - 0.76) < 0.045;
  return arc || stem || dot;
}

writeFileSync(
  'teams/color.png',
  png(192, (x, y) => (mark(x, y, 192) ? [255, 153, 0, 255] : [35, 47, 62, 255])),
);
writeFileSync(
  'teams/outline.png',
  png(32, (x, y) => (mark(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0])),
);
console.log('wrote teams/color.png and teams/outline.png');
