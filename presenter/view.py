"""Presenter view for public events: a scripted tour on a big screen, kiosk-style.

The browser keeps the time: a small controller (custom component, no iframe) counts each
step's duration, pauses on any input, listens to arrow keys, Page Up/Down (clickers) and
space, and tells Python which step to show. Python only draws the step it is asked for,
so a tour can run for hours without the server doing anything between steps.
"""

from __future__ import annotations

import functools
from pathlib import Path

import segno
import streamlit as st

from layers import registry
from layers.build import LayerData
from layers.spec import Query
from server import network, profile_files
from text import escape_text
from ui import data, state, widgets
from ui.i18n import lang, t

from .tour import (
    PresenterSettings,
    Step,
    Tour,
    TourError,
    load_tour,
    phone_base_url,
    presenter_settings,
)

STEP_KEY = "w_pstep"
CONTROLLER_KEY = "tour_ctl"

THEME_CSS = """
<style>
/* Big screen: no Streamlit chrome, dark background, type readable from five metres. */
header[data-testid="stHeader"], section[data-testid="stSidebar"],
[data-testid="stExpandSidebarButton"], [data-testid="stToolbar"],
[data-testid="stStatusWidget"], [data-testid="stAppDeployButton"], footer {
  display: none !important;
}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  background: #0b1622 !important; color: #f4f7fa !important;
}
[data-testid="stMainBlockContainer"] {
  padding: 1rem 2rem .4rem 2rem !important; max-width: 100% !important;
}
/* Between two steps the old step stays fully visible instead of greying out. */
.stApp [data-stale="true"] { opacity: 1 !important; transition: none !important; }
.stApp p, .stApp li, .stApp span, .stApp strong, .stApp div { color: #f4f7fa; }
.stApp .tour-title { font-size: 3rem !important; font-weight: 700; line-height: 1.1;
  margin: 0; padding: 0; }
.stApp .tour-name { font-size: 1.5rem !important; margin: .3rem 0 0 0; }
.stApp .tour-counter { font-size: 2.4rem !important; font-weight: 700; text-align: right;
  margin: 0; }
.stApp .tour-caption { font-size: 2.2rem !important; font-weight: 600; line-height: 1.25;
  margin: 0 0 .7rem 0; }
.stApp .tour-caption-other { font-size: 1.5rem !important; line-height: 1.3;
  margin: 0 0 1rem 0; color: #c9d6e3 !important; }
.stApp .tour-summary { font-size: 1.4rem !important; line-height: 1.35; margin: .4rem 0 .8rem 0; }
.stApp .tour-missing { font-size: 1.3rem !important; color: #ffd27a !important; }
.stApp .tour-qr { display: flex; gap: 1.2rem; align-items: center; margin-top: .4rem; }
.stApp .tour-qr img { width: 170px; height: 170px; background: #fff; border-radius: 6px;
  image-rendering: pixelated; }
.stApp .tour-qr-text { font-size: 1.6rem !important; font-weight: 700; margin: 0 0 .4rem 0; }
.stApp .tour-qr-url, .stApp .tour-qr-url a { font-size: 1.1rem !important;
  word-break: break-all; color: #c9d6e3 !important; }
.stApp .tour-sources { font-size: .95rem !important; line-height: 1.35; color: #c9d6e3 !important;
  margin: 0; }
.stApp .legend strong { font-size: 1.5rem !important; }
.stApp .legend li { font-size: 1.35rem !important; gap: .7rem !important; }
.stApp .legend .legend-note { font-size: 1.15rem !important; line-height: 1.3; }
.stApp .legend .swatch { width: 2.2rem !important; height: 1.4rem !important;
  border-color: #ffffff !important; }
.stApp .stButton button { padding: .35rem .6rem !important; background: #1c3d5a !important;
  border: 2px solid #9cc8ee !important; }
.stApp .stButton button p { font-size: 1.4rem !important; color: #ffffff !important; }
.stApp .stButton button:focus-visible { outline: 4px solid #ffd27a !important; }
</style>
"""

CONTROLLER_JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  // Streamlit calls this again whenever the data change (every step) but keeps the
  // previous call's listeners and timer alive: stop them first.
  if (parentElement.__tourStop) parentElement.__tourStop();
  const g = window.__rostockTour || (window.__rostockTour = { lastInput: 0 });
  const key = data.tour + "#" + data.step;
  if (g.key !== key) { g.key = key; g.shownAt = Date.now(); }
  let sent = false;
  const status = parentElement.querySelector(".tour-status");
  const send = (action) => setTriggerValue("nav", { action, step: data.step, at: Date.now() });
  const onKey = (e) => {
    const el = e.target || {};
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName || "") || el.isContentEditable) return;
    g.lastInput = Date.now();
    if (e.key === "f" || e.key === "F") {  // full screen on the big screen (a key is a gesture)
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
      return;
    }
    const next = ["ArrowRight", "PageDown", " ", "Spacebar"].includes(e.key);
    const prev = ["ArrowLeft", "PageUp"].includes(e.key);
    if (next || prev) { e.preventDefault(); e.stopPropagation(); send(next ? "next" : "prev"); }
  };
  const onInput = () => { g.lastInput = Date.now(); };
  const kinds = ["pointerdown", "pointermove", "wheel", "touchstart"];
  document.addEventListener("keydown", onKey, true);
  kinds.forEach((k) => document.addEventListener(k, onInput, { capture: true, passive: true }));
  const tick = () => {
    const now = Date.now();
    const idleLeft = data.idle_ms - (now - g.lastInput);
    const stepLeft = data.duration_ms - (now - g.shownAt);
    let text = data.labels.manual;
    if (data.auto && idleLeft > 0) {
      text = data.labels.paused.replace("{s}", Math.ceil(idleLeft / 1000));
    } else if (data.auto) {
      text = data.labels.next.replace("{s}", Math.max(0, Math.ceil(stepLeft / 1000)));
    }
    if (status && status.textContent !== text) status.textContent = text;
    if (data.auto && idleLeft <= 0 && stepLeft <= 0 && !sent) { sent = true; send("auto"); }
  };
  tick();
  const timer = setInterval(tick, 250);
  const stop = () => {
    clearInterval(timer);
    document.removeEventListener("keydown", onKey, true);
    kinds.forEach((k) => document.removeEventListener(k, onInput, { capture: true }));
    if (parentElement.__tourStop === stop) parentElement.__tourStop = null;
  };
  parentElement.__tourStop = stop;
  return stop;
}
"""

_controller = st.components.v2.component(
    "rostock_tour_controller",
    html='<p class="tour-status" aria-live="off"></p>',
    css=".tour-status { font-size: 1.25rem; text-align: right; margin: 0; color: #c9d6e3; }",
    js=CONTROLLER_JS,
)


@st.cache_resource(show_spinner=False, max_entries=8)
def _tour(path: str, mtime: float) -> Tour:
    return load_tour(path)


def _load(settings: PresenterSettings) -> Tour:
    path = Path(settings.tour)
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    return _tour(str(path), mtime)


def _go(tour: Tour, action: str, from_step: int) -> None:
    """One step on or back. A key press always counts (two quick presses = two steps); a
    timer's ``auto`` only when it comes from the step on screen, so a late one is dropped."""
    n = len(tour.steps)
    current = int(st.session_state.get(STEP_KEY, 1))
    if action == "auto" and from_step != current:
        return
    if action in ("next", "auto"):
        target = current + 1 if current < n else (1 if tour.loop else n)
    elif action == "prev":
        target = current - 1 if current > 1 else (n if tour.loop else 1)
    else:
        return
    st.session_state[STEP_KEY] = target


def _on_nav(tour: Tour, key: str) -> None:
    event = getattr(st.session_state.get(key), "nav", None) or {}
    if isinstance(event, dict):
        _go(tour, str(event.get("action")), int(event.get("step") or 0))


def _step_button(tour: Tour, action: str) -> None:
    _go(tour, action, int(st.session_state.get(STEP_KEY, 1)))


def _toggle_language() -> None:
    st.session_state["w_lang"] = "en" if lang() == "de" else "de"


def base_url(settings: PresenterSettings) -> str:
    """The address phones use (see ``presenter.tour.phone_base_url``); the LAN address is
    read from this machine's interfaces, nothing is asked over the network."""
    lan = None if settings.base_url else network.lan_ip()
    return phone_base_url(settings.base_url, st.context.url, lan)


def qr_png(url: str) -> str:
    """The QR code as a PNG data URL, made on this machine (no online QR service)."""
    return segno.make(url, error="m").png_data_uri(scale=6, border=4)


def _title(step: Step, lg: str) -> str:
    project = step.project
    return f"{project.icon} {project.name}" if project else f"🗺️ {t('tour_city_map', lg)}"


def _layers(step: Step, lg: str) -> tuple[list[LayerData], list[str]]:
    project = step.project
    query = Query(indicator=step.indicator, year=step.year, lang=lg,
                  project=project.place_project if project else None,
                  codes=(step.district,) if step.district else ())
    return data.layers([*step.layers, *(["auswahl"] if step.district else [])], query)


def _sources(shown: list[LayerData], lg: str) -> str:
    """Every source line of the step's layers (the same lines as under any map)."""
    lines = data.source_lines((d for layer in shown for d in layer.spec.cited), lg)
    return escape_text(f"{t('tour_sources', lg)}: " + " ".join(lines))


def _header(tour: Tour, step: Step, current: int, lg: str, settings: PresenterSettings,
            auto: bool) -> None:
    """Title, step counter with the controller's status line, and the buttons."""
    n = len(tour.steps)
    head, count, b_prev, b_next, b_lang = st.columns([7, 2.6, 1.25, 1.25, 1.25],
                                                     vertical_alignment="center")
    with head:
        st.markdown(f'<h1 class="tour-title">{escape_text(_title(step, lg))}</h1>'
                    f'<p class="tour-name">{escape_text(tour.name(lg))}</p>',
                    unsafe_allow_html=True)
    with count:
        st.markdown(f'<p class="tour-counter" data-step="{current}" data-total="{n}">'
                    f"{t('tour_step', lg, n=current, total=n)}</p>", unsafe_allow_html=True)
        # One controller for the whole tour: its data change with every step, and every
        # event reaches the same callback.
        _controller(key=CONTROLLER_KEY, data={
            "tour": tour.path.name, "step": current, "auto": auto,
            "duration_ms": int(step.duration * settings.time_scale * 1000),
            "idle_ms": int(settings.idle_seconds * 1000),
            "labels": {"next": t("tour_status_next", lg), "paused": t("tour_status_paused", lg),
                       "manual": t("tour_status_manual", lg)},
        }, on_nav_change=functools.partial(_on_nav, tour, CONTROLLER_KEY))
    with b_prev:
        st.button(t("tour_prev", lg), key="tour_prev", on_click=_step_button,
                  args=(tour, "prev"), help=t("tour_keys_help", lg), width="stretch")
    with b_next:
        st.button(t("tour_next", lg), key="tour_next", on_click=_step_button,
                  args=(tour, "next"), help=t("tour_keys_help", lg), width="stretch")
    with b_lang:
        st.button(t("tour_other_lang", lg), key="tour_lang", on_click=_toggle_language,
                  width="stretch")


def _aside(step: Step, shown: list[LayerData], missing: list[str], lg: str,
           settings: PresenterSettings) -> None:
    """Caption (both languages), legends, the data's own summary and the QR code."""
    other = "en" if lg == "de" else "de"
    st.markdown(f'<p class="tour-caption">{escape_text(step.caption(lg))}</p>'
                f'<p class="tour-caption-other" lang="{other}">'
                f"{escape_text(step.caption(other))}</p>", unsafe_allow_html=True)
    for layer in shown:
        if layer.spec.id != "auswahl":
            widgets.legend(layer, compact=True)
    summary = next((x.summary() for x in shown if x.spec.kind == "choropleth"), "")
    if summary:
        st.markdown(f'<p class="tour-summary">{escape_text(summary)}</p>',
                    unsafe_allow_html=True)
    for layer in shown:
        if layer.spec.kind == "choropleth":
            widgets.screen_reader_table(layer)
    if missing:
        names = ", ".join(registry.get(i).title(lg) for i in missing)
        note = escape_text(t("tour_layers_missing", lg, names=names))
        st.markdown(f'<p class="tour-missing">{note}</p>', unsafe_allow_html=True)
    # A step about one district hands over its light profile page (fast on a phone);
    # the others, or without built profiles, the step's view on its page.
    phones = base_url(settings)
    url = profile_files.profile_url(phones, step.district, lg) or step.share_url(phones, lg)
    st.markdown(
        f'<div class="tour-qr"><img src="{qr_png(url)}" alt="{t("tour_qr_alt", lg)}" '
        f'data-url="{escape_text(url)}"><div><p class="tour-qr-text">{t("tour_qr", lg)}'
        f'</p><p class="tour-qr-url"><a href="{escape_text(url)}" class="tour-link" '
        f'target="_blank">{escape_text(url)}</a></p></div></div>',
        unsafe_allow_html=True)


def run() -> None:
    """The whole presenter page (pages/vortrag.py only calls this)."""
    st.markdown(THEME_CSS + widgets.LEGEND_CSS, unsafe_allow_html=True)
    try:
        settings = presenter_settings()
        tour = _load(settings)
    except (TourError, ValueError) as exc:  # a broken script or setting: say which
        st.error(t("tour_invalid", message=str(exc)))
        return
    lg = lang()
    n = len(tour.steps)
    if STEP_KEY not in st.session_state:
        st.session_state[STEP_KEY] = state.url_value("step", int, lambda v: 1 <= v <= n, 1)
    current = min(max(int(st.session_state[STEP_KEY]), 1), n)
    st.session_state[STEP_KEY] = current
    step = tour.steps[current - 1]
    auto = state.url_value("auto", str, lambda v: v in ("0", "1"), "1") == "1"

    _header(tour, step, current, lg, settings, auto)
    shown, missing = _layers(step, lg)
    left, right = st.columns([13, 7], gap="large")
    with left:
        if shown:
            widgets.map_view(shown, key="tour_map", height=760, camera=step.view)
        # Under the map: the right column is full (caption, legends, summary, QR code).
        st.markdown(f'<p class="tour-sources">{_sources(shown, lg)}</p>',
                    unsafe_allow_html=True)
    with right:
        _aside(step, shown, missing, lg, settings)
    state.publish(step=current if current > 1 else None)
    # Build the next step's layers now, while this one is on screen: the change is then
    # instant (the first pass through a tour fills the cache for every later visitor).
    _layers(tour.steps[current % n], lg)
