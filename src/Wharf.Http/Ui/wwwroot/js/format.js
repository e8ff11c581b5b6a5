// Formatting of sizes, times, digests and platforms.

import { h } from './dom.js';

const units = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1234567 → "1.2 MB" (decimal units, as docker prints them). */
export function bytes(size) {
  if (typeof size !== 'number' || !Number.isFinite(size)) return '–';
  let value = size;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const steps = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

/** "3 days ago", from an ISO-8601 time. */
export function ago(iso) {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return 'never';
  const seconds = Math.round((time - Date.now()) / 1000);
  for (const [unit, length] of steps) {
    if (Math.abs(seconds) >= length || unit === 'second') return relative.format(Math.round(seconds / length), unit);
  }
  return '';
}

/** A <time> showing "3 days ago", with the exact UTC time as its tooltip; "never" for null. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: iso, title: new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') }, ago(iso));
}

/** "sha256:0123456789ab" — the algorithm and the first 12 hex digits. */
export function shortDigest(digest) {
  if (typeof digest !== 'string') return '';
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}

/** A digest shown short, the whole digest in its tooltip and for screen readers' copy. */
export function digest(value) {
  return h('code', { class: 'digest', title: value }, shortDigest(value));
}

/** linux/arm64/v8 from {os, architecture, variant}. */
export function platform(p) {
  return [p?.os, p?.architecture, p?.variant].filter(Boolean).join('/') || 'unknown';
}

export function count(number, singular, plural = `${singular}s`) {
  const n = Number(number) || 0;
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
