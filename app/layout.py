"""Issue 14: the dashboard on a narrow screen (800 px wide, a laptop's half screen or a tablet).

Streamlit collapses its sidebar by itself only under about 768 px (initial_sidebar_state "auto"), and the server
cannot know the window's width. So the browser decides: on a window of at most NARROW_PX, the sidebar is folded
away once when the dashboard opens (and again when the window becomes that narrow); the person may open it again,
and it stays open. The metrics' labels, values and changes wrap instead of ending in "…", so nothing is cut off.
"""

from __future__ import annotations

import streamlit as st

NARROW_PX = 1000  # at 1000 px a 300 px sidebar leaves the tiles about 200 px each: too little for the labels

_SCRIPT = """<script>
(() => {
  if (window.__serviceQcNarrow) return;  // once per tab: st.html runs again on every page, the window stays
  window.__serviceQcNarrow = true;
  const narrow = window.matchMedia("(max-width: %(px)dpx)");
  const fold = (attempt) => {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (bar && bar.getAttribute("data-collapsed") === "true") return;
    if (bar && button) { button.click(); return; }
    if (attempt < 50) setTimeout(() => fold(attempt + 1), 100);  // the sidebar is drawn after this script
  };
  if (narrow.matches) fold(0);
  narrow.addEventListener("change", (event) => { if (event.matches) fold(0); });
})();
</script>"""

_STYLE = """<style>
[data-testid="stMetric"] *:not(svg, path) {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: break-word;
}
</style>"""


def narrow_screens() -> None:
    """The style and the script above, drawn once per page run (they take no room on the page)."""
    st.html(_STYLE + _SCRIPT % {"px": NARROW_PX}, unsafe_allow_javascript=True)
