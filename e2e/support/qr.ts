// Reading the QR codes the app draws, the way a scanner would: from pixels, not from the DOM.
import { writeFileSync } from "node:fs";
import { type Locator } from "@playwright/test";
import jsQR from "jsqr";
import { PNG } from "pngjs";

/** Screenshots the element and decodes the QR code in it; throws when there is none. */
export async function readQr(element: Locator): Promise<{ text: string; image: PNG }> {
  const image = PNG.sync.read(await element.screenshot());
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!code) throw new Error("no QR code could be read from the screenshot");
  return { text: code.data, image };
}

/**
 * Writes a Y4M video file (the format Chromium's fake camera plays with
 * `--use-file-for-fake-video-capture`) whose every frame shows `image` centred on white.
 */
export function writeCameraVideo(path: string, image: PNG, width = 1280, height = 720, frames = 10) {
  const luma = Buffer.alloc(width * height, 255);
  // As a phone held close would see it: the code fills much of the frame.
  const scale = Math.max(1, Math.floor((0.95 * height) / image.height));
  const left = Math.floor((width - image.width * scale) / 2);
  const top = Math.floor((height - image.height * scale) / 2);
  for (let y = 0; y < image.height * scale; y++) {
    for (let x = 0; x < image.width * scale; x++) {
      const at = (Math.floor(y / scale) * image.width + Math.floor(x / scale)) * 4;
      const [r, g, b] = [image.data[at], image.data[at + 1], image.data[at + 2]];
      const row = top + y;
      const column = left + x;
      if (row < 0 || row >= height || column < 0 || column >= width) continue;
      luma[row * width + column] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  // Grey: both chroma planes at their midpoint, each a quarter of the picture (4:2:0).
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array(frames).fill(frame)]));
}
