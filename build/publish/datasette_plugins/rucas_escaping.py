"""Datasette plugin (loaded by `rucas serve` with --plugins-dir): the third-party plugins' scripts put every
value from the database into the page as text, never as HTML.

datasette-dashboards 0.8 builds its map popups by pasting each row's raw values into HTML, and writes a
metric's and a table chart's values with innerHTML; datasette-cluster-map 0.18 escapes its popups but
renders a `popup` column's link as given (a `javascript:` URL runs when clicked). A location name such
as `<img src=x onerror=...>` ran in the visitor's browser. This plugin serves those two scripts itself
(register_routes: a plugin's routes come before Datasette's static files), each as the installed
plugin's own file with RUCAS's change:

- dashboards.js, followed by DASHBOARDS_JS: the map, metric and table renderers again, building
  their HTML from escaped values (rucasEscapeHTML) or text nodes, and every Vega chart's tooltips
  escaped in full (vega-tooltip escapes only & and < by default).
- datasette-cluster-map.js without the `popup` column's own HTML (every row is shown as its escaped
  list of columns). If the line it changes is no longer in the file (the plugin was upgraded), the
  map is not drawn at all rather than drawn unsafely; tests/test_escaping.py then fails.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

ESCAPE_JS = """
function rucasEscapeHTML(value) {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#039;')
}
"""

DASHBOARDS_JS = ESCAPE_JS + r"""
/* RUCAS (rucas_escaping.py): the renderers below replace datasette-dashboards' own, which pasted values
   into HTML. Each builds the same page from escaped values or text nodes. */
const rucasVegaEmbed = window.vegaEmbed
window.vegaEmbed = (el, spec, options) => rucasVegaEmbed(el, spec,
  { ...(options || {}), tooltip: { sanitize: rucasEscapeHTML } })

async function renderMetricChart(chart_slug, chart, query_string, absolute_url, full_height) {
  const results = await fetch(getDataUrl(chart, query_string, absolute_url))
  const data = await results.json()
  const metric = data.rows[0][chart.display.field]
  const p = document.createElement('p')
  p.textContent = `${chart.display.prefix || ''}${metric}${chart.display.suffix || ''}`
  p.style.fontSize = '2.2rem'
  p.style.fontWeight = '900'
  const wrapper = document.createElement('div')
  wrapper.appendChild(p)
  Object.assign(wrapper.style, { width: '100%', height: '100%', display: 'flex', flexDirection: 'column',
    justifyContent: 'center', alignItems: 'center', overflow: 'hidden', whiteSpace: 'nowrap',
    textOverflow: 'ellipsis' })
  document.querySelector(`#chart-${chart_slug}`).appendChild(wrapper)
  if (data.truncated) { enableChartTooltip(chart_slug) }
}

async function renderTableChart(chart_slug, chart, query_string, absolute_url, full_height) {
  const results = await fetch(getDataUrl(chart, query_string, absolute_url))
  const data = await results.json()
  const table = document.createElement('table')
  const head = table.createTHead().insertRow()
  Object.keys(data.rows[0] || {}).forEach(column => { head.appendChild(document.createElement('th')).textContent = column })
  const body = table.createTBody()
  data.rows.forEach(row => {
    const tr = body.insertRow()
    Object.values(row).forEach(value => { tr.insertCell().textContent = value })
  })
  const wrapper = document.createElement('div')
  Object.assign(wrapper.style, { width: '100%', height: '100%', overflow: 'auto' })
  wrapper.appendChild(table)
  document.querySelector(`#chart-${chart_slug}`).appendChild(wrapper)
  if (data.truncated) { enableChartTooltip(chart_slug) }
}

async function renderMapChart(chart_slug, chart, query_string, absolute_url, full_height) {
  document.addEventListener('DOMContentLoaded', async () => {
    const results = await fetch(getDataUrl(chart, query_string, absolute_url))
    const data = await results.json()
    const wrapper = document.createElement('div')
    Object.assign(wrapper.style, { width: '100%', height: '100%', minHeight: '200px' })
    document.querySelector(`#chart-${chart_slug}`).appendChild(wrapper)
    if (!data.rows.length) {
      // No place has coordinates read from an authoritative source: say so instead of drawing an empty map.
      wrapper.textContent = 'No event in this selection has verified coordinates, so there is nothing to map.'
      Object.assign(wrapper.style, { display: 'flex', alignItems: 'center', justifyContent: 'center', color: '#555' })
      return
    }
    const map = L.map(wrapper, { zoom: 12 })
    map.addLayer(L.tileLayer('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png', {
      maxZoom: 19, detectRetina: true,
      attribution: '&copy; <a href="https://openstreetmap.org/copyright">OpenStreetMap contributors</a>'
    }))
    const options = chart.display || {}
    const latitude = options.latitude_column || 'latitude'
    const longitude = options.longitude_column || 'longitude'
    data.rows.forEach(row => {
      const popup = Object.entries(row)
        .filter(([key]) => (key === latitude || key === longitude) ? options.show_latlng_popup : true)
        .map(([key, value]) => `<span style="font-weight:bold;">${rucasEscapeHTML(key)}:</span> ${rucasEscapeHTML(value)}<br>`)
        .join('')
      map.addLayer(L.marker([row[latitude], row[longitude]]).bindPopup(popup))
    })
    map.fitBounds(new L.LatLngBounds(data.rows.map(row => [row[latitude], row[longitude]])))
    if (data.truncated) { enableChartTooltip(chart_slug) }
  })
}
"""

CLUSTER_MAP_POPUP = "let popup = row.popup;"
"""The line of datasette-cluster-map.js that takes a row's `popup` column as the popup's HTML and link."""

CLUSTER_MAP_WITHOUT_POPUP = "let popup = null; /* RUCAS (rucas_escaping.py): a popup column is shown as text */"

UNSAFE_SCRIPT = "console.error('RUCAS: {file} of this plugin version is not known to escape its values; not run')\n"


def _static_file(package: str, name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        raise NotFound(f"{package} is not installed")
    return Path(spec.origin).parent / "static" / name


def dashboards_script() -> str:
    """datasette-dashboards' dashboards.js with its HTML-building renderers replaced by escaping ones."""
    return _static_file("datasette_dashboards", "dashboards.js").read_text(encoding="utf-8") + DASHBOARDS_JS


def cluster_map_script() -> str:
    """datasette-cluster-map's script without a `popup` column's HTML; a script that draws nothing if the
    installed version no longer has the line this changes."""
    original = _static_file("datasette_cluster_map", "datasette-cluster-map.js").read_text(encoding="utf-8")
    if CLUSTER_MAP_POPUP not in original:
        return UNSAFE_SCRIPT.format(file="datasette-cluster-map.js")
    return original.replace(CLUSTER_MAP_POPUP, CLUSTER_MAP_WITHOUT_POPUP)


def _script(make):
    async def serve(request) -> Response:
        return Response(make(), content_type="application/javascript; charset=utf-8")

    return serve


@hookimpl
def register_routes():
    return [
        (r"^/-/static-plugins/datasette[-_]dashboards/dashboards\.js$", _script(dashboards_script)),
        (r"^/-/static-plugins/datasette[-_]cluster[-_]map/datasette-cluster-map\.js$", _script(cluster_map_script)),
    ]
