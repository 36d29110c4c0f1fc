/**
 * The cluster map's script, inlined in the page (no external file): reads the map data from its
 * JSON element, sums the runs into clusters per role (the counts table), paints one canvas cell per
 * range of clusters in its dominant role's colour (red when a broken cluster is in it), lists the
 * broken clusters, and shows a cell's clusters, roles and labels on hover. Every string of the data
 * reaches the page as textContent, never as markup. Marks the root element data-rendered when done.
 */
export const MAP_SCRIPT = String.raw`(function () {
  'use strict';
  var COLORS = { header: '#1f3a93', 'refcount-table': '#8e44ad', l1: '#2980b9', l2: '#5dade2', 'refcount-block': '#c39bd3',
    'snapshot-table': '#d35400', bitmap: '#16a085', encryption: '#7f8c8d', data: '#27ae60', leaked: '#f1c40f', free: '#e5e7e9' };
  var BROKEN = '#e60000';
  var data = JSON.parse(document.getElementById('map-data').textContent);
  var roles = data.roles, cpc = data.clustersPerCell;
  var cellCount = Math.ceil(data.clusterCount / cpc);
  var cellRun = new Int32Array(cellCount);
  var totals = roles.map(function () { return 0; });
  var parsed = [];
  var cell = 0;
  data.runs.forEach(function (run, i) {
    var pairs = run[1].split(',').map(function (p) { var a = p.split(':'); return [Number(a[0]), Number(a[1])]; });
    parsed.push(pairs);
    pairs.forEach(function (p) { totals[p[0]] += p[1] * run[0]; });
    for (var j = 0; j < run[0]; j++) cellRun[cell++] = i;
  });
  var brokenCells = new Map();
  data.broken.forEach(function (b) {
    var c = Math.floor(b.clusterIndex / cpc);
    if (!brokenCells.has(c)) brokenCells.set(c, []);
    brokenCells.get(c).push(b);
  });
  var labels = new Map(data.labels);
  function hex(n) { return '0x' + n.toString(16); }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  var table = document.getElementById('role-counts');
  table.appendChild(el('tr')).append(el('th', ''), el('th', 'role'), el('th', 'clusters'));
  roles.forEach(function (name, i) {
    var tr = el('tr', undefined, { 'data-role': name });
    var sw = el('td', '', { class: 'swatch' });
    sw.style.background = COLORS[name] || '#000';
    tr.append(sw, el('td', name), el('td', String(totals[i]), { class: 'count' }));
    table.appendChild(tr);
  });
  var btr = el('tr', undefined, { 'data-role': 'broken' });
  var bsw = el('td', '', { class: 'swatch' });
  bsw.style.background = BROKEN;
  btr.append(bsw, el('td', 'broken (marked over its role)'), el('td', String(data.broken.length), { class: 'count' }));
  table.appendChild(btr);
  var list = document.getElementById('broken-list');
  data.broken.forEach(function (b) {
    var from = b.clusterIndex * data.clusterSizeBytes;
    var past = b.clusterIndex >= data.clusterCount ? ' (past the end of the file)' : '';
    var li = el('li', 'cluster ' + b.clusterIndex + ' at ' + hex(from) + past + ': ' + b.rules.join(', ') + ': ' + b.text, { 'data-cluster': String(b.clusterIndex) });
    list.appendChild(li);
  });
  if (data.broken.length === 0) list.appendChild(el('li', 'none'));
  var columns = cellCount > 8192 ? 256 : cellCount > 512 ? 128 : 32;
  var px = cellCount > 8192 ? 4 : cellCount > 512 ? 8 : 20;
  var rows = Math.max(1, Math.ceil(cellCount / columns));
  var canvas = document.getElementById('map-canvas');
  canvas.width = columns * px;
  canvas.height = rows * px;
  var ctx = canvas.getContext('2d');
  var image = ctx.createImageData(canvas.width, canvas.height);
  var rgb = roles.map(function (name) { var c = COLORS[name] || '#000000'; return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)]; });
  var red = [230, 0, 0];
  var gap = px >= 8 ? 1 : 0;
  var w = canvas.width;
  for (var c = 0; c < cellCount; c++) {
    var col = brokenCells.has(c) ? red : rgb[parsed[cellRun[c]][0][0]];
    var x0 = (c % columns) * px, y0 = Math.floor(c / columns) * px;
    for (var y = y0; y < y0 + px - gap; y++) {
      for (var x = x0, p = (y * w + x0) * 4; x < x0 + px - gap; x++, p += 4) {
        image.data[p] = col[0]; image.data[p + 1] = col[1]; image.data[p + 2] = col[2]; image.data[p + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
  var tip = document.getElementById('tip');
  function cellText(c) {
    var first = c * cpc, last = Math.min(first + cpc, data.clusterCount) - 1;
    var lines = [];
    var parts = parsed[cellRun[c]].map(function (p) { return roles[p[0]] + (cpc > 1 ? ' ' + p[1] : ''); });
    var where = 'host ' + hex(first * data.clusterSizeBytes) + '-' + hex((last + 1) * data.clusterSizeBytes - 1);
    lines.push((first === last ? 'cluster ' + first : 'clusters ' + first + '-' + last) + ' (' + where + '): ' + parts.join(', '));
    if (labels.has(first) && cpc === 1) lines.push(labels.get(first));
    (brokenCells.get(c) || []).forEach(function (b) { lines.push('BROKEN cluster ' + b.clusterIndex + ': ' + b.rules.join(', ') + ': ' + b.text); });
    return lines.join('\n');
  }
  function cellAt(ev) {
    var r = canvas.getBoundingClientRect();
    var cx = Math.floor((ev.clientX - r.left) / px), cy = Math.floor((ev.clientY - r.top) / px);
    var c = cy * columns + cx;
    return cx >= 0 && cx < columns && c >= 0 && c < cellCount ? c : -1;
  }
  canvas.addEventListener('mousemove', function (ev) {
    var c = cellAt(ev);
    if (c < 0) { tip.hidden = true; return; }
    tip.textContent = cellText(c);
    tip.setAttribute('data-cell', String(c));
    tip.style.left = (ev.pageX + 12) + 'px';
    tip.style.top = (ev.pageY + 12) + 'px';
    tip.hidden = false;
  });
  canvas.addEventListener('mouseleave', function () { tip.hidden = true; });
  document.documentElement.setAttribute('data-render-ms', performance.now().toFixed(1));
  document.documentElement.setAttribute('data-rendered', 'yes');
})();`;
