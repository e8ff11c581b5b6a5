// An image (or index, or artifact) by tag or digest: summary, platforms, config, history, layers (each with a
// link to its file browser), referrers and the manifest itself.

import { h, replace, table, facts } from '../dom.js';
import { images } from '../api.js';
import { link } from '../routes.js';
import { bytes, digest, platform, time } from '../format.js';
import { pullCommand } from './repository.js';

export async function render(context) {
  const { route, signal } = context;
  const image = await images.get(route.name, route.reference, signal);
  const isDigest = route.reference.includes(':');
  const title = isDigest ? `${image.name}@${image.digest}` : `${image.name}:${route.reference}`;
  context.setTitle(isDigest ? `${image.name}@${image.digest.slice(0, 19)}` : title);
  replace(context.main,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumbs' }, h('ol', null,
      h('li', null, h('a', { href: link.home() }, 'Repositories')),
      h('li', null, h('a', { href: link.repository(image.name) }, image.name)),
      h('li', null, h('a', { href: link.image(image.name, route.reference), 'aria-current': 'page' }, isDigest ? image.digest.slice(0, 19) : route.reference)))),
    h('div', { class: 'page-head' }, h('h1', { tabindex: -1, class: 'name' }, isDigest ? [image.name, h('span', { class: 'muted' }, '@'), h('span', { class: 'digest' }, image.digest)] : title)),
    pullCommand(`docker pull ${location.host}/${title}`, context),
    facts([
      ['Digest', h('code', { class: 'digest-full' }, image.digest)],
      ['Media type', h('code', null, image.mediaType)],
      ['Artifact type', image.artifactType ? h('code', null, image.artifactType) : null],
      ['Size', bytes(image.size)],
      ['Pulls', (image.pullCount ?? 0).toLocaleString('en')],
    ], { class: 'facts summary' }),
    platformsSection(image),
    configSection(image.config),
    historySection(image),
    layersSection(image),
    referrersSection(image),
    manifestSection(image));
}

function section(id, title, ...content) {
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), content);
}

function platformsSection(image) {
  if (!image.platforms?.length) return null;
  const rows = image.platforms.map((p) => h('tr', null,
    h('th', { scope: 'row' }, h('a', { href: link.image(image.name, p.digest) }, platform(p))),
    h('td', null, digest(p.digest)),
    h('td', { class: 'number' }, bytes(p.size))));
  return section('platforms-heading', 'Platforms',
    table('Platforms of this index', ['Platform', 'Digest', { label: 'Size', class: 'number' }], rows));
}

function code(values) {
  return values?.length ? h('code', { class: 'command' }, values.map(quote).join(' ')) : null;
}

function quote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `"${String(word).replace(/(["\\$`])/g, '\\$1')}"`;
}

function configSection(config) {
  if (!config) return null;
  const labels = Object.entries(config.labels ?? {});
  return section('config-heading', 'Configuration',
    facts([
      ['Platform', platform(config)],
      ['Created', config.created ? time(config.created) : null],
      ['Author', config.author],
      ['Entrypoint', code(config.entrypoint)],
      ['Command', code(config.cmd)],
      ['Working directory', config.workingDir ? h('code', null, config.workingDir) : null],
      ['User', config.user ? h('code', null, config.user) : null],
      ['Exposed ports', config.exposedPorts?.length ? config.exposedPorts.join(', ') : null],
      ['Environment', config.env?.length ? h('ul', { class: 'plain-list' }, config.env.map((line) => h('li', null, h('code', null, line)))) : null],
    ]),
    labels.length
      ? [h('h3', null, 'Labels'), table('Labels', ['Label', 'Value'], labels.map(([key, value]) => h('tr', null, h('th', { scope: 'row' }, h('code', null, key)), h('td', null, value))))]
      : null);
}

function historySection(image) {
  if (!image.history?.length) return null;
  return section('history-heading', 'History',
    h('ol', { class: 'history' }, image.history.map((step) => h('li', { class: step.emptyLayer ? 'empty-layer' : 'layer-step' },
      h('code', { class: 'command' }, step.createdBy || '(no command recorded)'),
      h('p', { class: 'step-meta' },
        step.emptyLayer || step.layerIndex === null || step.layerIndex === undefined
          ? h('span', { class: 'badge' }, 'no layer')
          : h('a', { href: `#layer-${step.layerIndex}`, class: 'badge layer' }, `layer ${step.layerIndex + 1}`),
        step.created ? [' ', time(step.created)] : null,
        step.comment ? [' · ', step.comment] : null)))));
}

function layersSection(image) {
  if (!image.layers?.length) return null;
  const total = image.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  const rows = image.layers.map((layer) => h('tr', { id: `layer-${layer.index}` },
    h('th', { scope: 'row', class: 'number' }, String(layer.index + 1)),
    h('td', null, digest(layer.digest)),
    h('td', null, h('code', { class: 'media-type' }, layer.mediaType)),
    h('td', { class: 'number' }, bytes(layer.size)),
    h('td', null, isBrowsable(layer.mediaType)
      ? h('a', { href: link.files(image.name, layer.digest), 'aria-label': `Browse the files of layer ${layer.index + 1}` }, 'Browse files')
      : h('span', { class: 'muted' }, '–'))));
  return section('layers-heading', 'Layers',
    h('p', { class: 'muted' }, `${image.layers.length} ${image.layers.length === 1 ? 'layer' : 'layers'}, ${bytes(total)} compressed`),
    table('Layers, in order', [{ label: '#', class: 'number' }, 'Digest', 'Media type', { label: 'Size', class: 'number' }, 'Files'], rows, { class: 'layers-table' }));
}

/** Tar layers (plain, gzip or zstd), as images carry them; artifacts' blobs are not tars. */
function isBrowsable(mediaType) {
  return /(^application\/vnd\.oci\.image\.layer\.(nondistributable\.)?v1\.tar)|(^application\/vnd\.docker\.image\.rootfs\.(foreign\.)?diff\.tar)/.test(mediaType ?? '');
}

function referrersSection(image) {
  if (!image.referrers?.length) return null;
  const rows = image.referrers.map((referrer) => h('tr', null,
    h('th', { scope: 'row' }, h('code', null, referrer.artifactType || referrer.mediaType)),
    h('td', null, h('a', { href: link.image(image.name, referrer.digest), class: 'plain' }, digest(referrer.digest))),
    h('td', { class: 'number' }, bytes(referrer.size)),
    h('td', null, Object.keys(referrer.annotations ?? {}).length
      ? h('ul', { class: 'plain-list' }, Object.entries(referrer.annotations).map(([key, value]) => h('li', null, h('code', null, key), ' = ', value)))
      : h('span', { class: 'muted' }, '–'))));
  return section('referrers-heading', 'Referrers',
    h('p', { class: 'muted' }, 'Signatures, SBOMs and other artifacts that refer to this manifest.'),
    table('Referrers', ['Artifact type', 'Digest', { label: 'Size', class: 'number' }, 'Annotations'], rows));
}

function manifestSection(image) {
  return section('manifest-heading', 'Manifest',
    h('details', { open: true }, h('summary', null, 'Manifest JSON'), h('pre', { class: 'json', tabindex: 0 }, h('code', null, JSON.stringify(image.manifest, null, 2)))));
}
