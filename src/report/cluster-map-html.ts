/**
 * clusterMapHtml: the map section of a page: the counts table, the canvas, the broken clusters'
 * list and the tooltip, all filled by MAP_SCRIPT from the map data embedded as JSON.
 */
import type { ClusterMapData } from './cluster-map-data.js';
import { escapeHtml, jsonForScript } from './html-escape.js';
import { MAP_SCRIPT } from './map-script.js';

/** The section's HTML, and the script it needs (for the page's Content-Security-Policy). */
export function clusterMapHtml(map: ClusterMapData, heading: string): { html: string; script: string } {
  const cells = Math.ceil(map.clusterCount / map.clustersPerCell);
  const scale = map.clustersPerCell === 1 ? 'one cell per cluster' : `each cell ${map.clustersPerCell} clusters, coloured by its dominant role (hover for its roles)`;
  const partial = map.complete ? '' : '<p class="warn">The walk could not finish on this image: clusters it did not reach show as free or leaked.</p>';
  const html = `<section id="map">
<h2>${escapeHtml(heading)}</h2>
<p>${map.clusterCount} host clusters of ${map.clusterSizeBytes} bytes (file ${map.fileSizeBytes} bytes), ${cells} cells: ${escapeHtml(scale)}.</p>
${partial}<div class="map-row"><table id="role-counts"></table><canvas id="map-canvas" data-cells="${cells}" data-clusters-per-cell="${map.clustersPerCell}"></canvas></div>
<div id="tip" hidden></div>
<h3>Broken clusters</h3>
<ul id="broken-list"></ul>
<script type="application/json" id="map-data">${jsonForScript(map)}</script>
<script>${MAP_SCRIPT}</script>
</section>`;
  return { html, script: MAP_SCRIPT };
}
