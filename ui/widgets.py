"""Widgets several pages share: pickers bound to the URL, the map, legend, table, sources."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit_folium import st_folium

import geodata
from figures import charts, profile
from geodata import loaders
from geodata.indicators import BY_ID as INDICATORS
from geodata.indicators import INDICATORS as INDICATOR_LIST
from geodata.indicators import OFFICIAL_POPULATION, REGISTER_REPORT
from geodata.tiles import TileSource
from layers import registry
from layers.build import LayerData
from layers.classify import SCHEMES
from layers.deck import MapView
from layers.leaflet import folium_map
from layers.spec import Query
from server import profile_files
from text import escape_markdown, escape_text, number

from . import data, state
from .i18n import day, lang, t


def layer_picker(families: Sequence[str] | None = None,
                 default: Sequence[str] | None = None) -> list[str]:
    specs = [s for s in registry.LAYERS
             if s.overview and (families is None or s.family in families)]
    ids = [s.id for s in specs]
    default = list(default) if default is not None else [s.id for s in specs if s.default_on]
    key = state.bind_list("layers", ids, default)
    lg = lang()  # captured: format functions may run outside the script run
    chosen = st.pills(t("layers"), ids, selection_mode="multi", key=key,
                      format_func=lambda i: registry.get(i).title(lg))
    state.publish(layers=list(chosen))
    return list(chosen)


def indicator_picker(options: Sequence[str] | None = None, default: str = "einwohner",
                     scope: str = "") -> str:
    ids = list(options) if options else [i.id for i in INDICATOR_LIST]
    key = state.bind_choice("indicator", ids, default if default in ids else ids[0], scope)
    lg = lang()
    value = st.selectbox(t("indicator"), ids, key=key,
                         format_func=lambda i: INDICATORS[i].label(lg))
    state.publish(indicator=value)
    return value


def year_picker(years: Sequence[int], scope: str = "") -> int | None:
    if not years:
        return None
    years = list(years)
    key = state.bind_int("year", years, years[-1], scope)
    if len(years) == 1:
        st.caption(f"{t('year')}: {years[0]}")
        state.publish(year=years[0])
        return years[0]
    value = st.select_slider(t("year"), years, key=key)
    state.publish(year=value)
    return int(value)


def class_picker() -> tuple[str, int]:
    lg = lang()
    with st.expander(t("classes")):
        scheme = st.radio(t("scheme"), SCHEMES, key=state.bind_choice("scheme", SCHEMES,
                                                                       "quantiles"),
                          format_func=lambda s: t("scheme_" + s, lg), horizontal=True)
        k = st.slider(t("k"), 3, 7, key=state.bind_int("k", list(range(3, 8)), 5))
    state.publish(scheme=None if scheme == "quantiles" else scheme, k=None if k == 5 else k)
    return scheme, int(k)


def legend(layer: LayerData, compact: bool = False) -> None:
    """Swatches drawn by Streamlit (not in the map), from the same classes as the map.

    ``compact``: a one-swatch legend (a layer drawn in one colour) skips the title line,
    which would only repeat the swatch's label."""
    title = escape_text(f"{layer.title} ({layer.unit})" if layer.unit else layer.title)
    entries = layer.legend()
    items = "".join(
        f'<li><span class="swatch" style="background:{escape_text(color)}"></span>'
        f"{escape_text(label)}</li>" for color, label in entries)
    heading = "" if compact and len(entries) == 1 else f"<strong>{title}</strong>"
    note = layer.spec.legend_note(layer.query.lang)
    note_html = f'<p class="legend-note">{escape_text(note)}</p>' if note else ""
    st.markdown(
        f'<div class="legend" role="group" aria-label="{t("legend")}: {title}">'
        f"{heading}<ul>{items}</ul>{note_html}</div>",
        unsafe_allow_html=True)


def screen_reader_table(layer: LayerData) -> None:
    """The map's table as real HTML, hidden from the eye but read by screen readers: for a
    view with no room for a visible table (the presenter at 1920×1080)."""
    table = layer.table()
    head = "".join(f'<th scope="col">{escape_text(c)}</th>' for c in table.columns)
    rows = "".join("<tr>" + "".join(f"<td>{escape_text(v)}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False))
    # The class sits on a wrapper: a <table> ignores width and overflow, so at full width it
    # made a phone's page scroll sideways although nobody could see it.
    st.markdown(f'<div class="sr-only"><table><caption>{escape_text(layer.title)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>",
                unsafe_allow_html=True)


LEGEND_CSS = """
<style>
.sr-only {position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0;}
.legend ul {list-style: none; padding: 0; margin: .2rem 0 .6rem 0;}
.legend li {display: flex; align-items: center; gap: .5rem; font-size: .95rem;}
.legend .swatch {width: 1.4rem; height: 1rem; border: 1px solid #666; display: inline-block;}
.legend .legend-note {font-size: .9rem; margin: 0 0 .6rem 0;}
</style>
"""


VIEWS = ("webgl", "leaflet")


def view_picker() -> str:
    """deck.gl (WebGL, fast, 3D-capable) or Leaflet (works where WebGL is missing)."""
    key = state.bind_choice("view", VIEWS, "webgl")
    lg = lang()
    value = st.segmented_control(t("view"), VIEWS, key=key,
                                 format_func=lambda v: t("view_" + v, lg)) or "webgl"
    state.publish(view=None if value == "webgl" else value)
    return value


def shared_camera() -> MapView | None:
    """The camera a shared link asks for (``?at=lat,lon,zoom[,pitch,bearing]``), if valid."""
    return state.url_value("at", MapView.parse, lambda _v: True, None)


def _code_of(value: object, view: str) -> str | None:
    """The district code in a map's selection (pydeck) or last drawing (Leaflet)."""
    if not value:
        return None
    if view == "leaflet":
        feature = (value.get("last_active_drawing") if isinstance(value, dict) else None) or {}
        code = (feature.get("properties") or {}).get("code")
        return str(code) if code else None
    selection = getattr(value, "selection", None)
    if selection is None and isinstance(value, dict):
        selection = value.get("selection")
    for picked in ((selection or {}).get("objects") or {}).values():
        for obj in picked:
            props = obj.get("properties", obj) if isinstance(obj, dict) else {}
            if props.get("code"):
                return str(props["code"])
    return None


def clicked_code(key: str = "map", view: str = "webgl") -> str | None:
    """The district last clicked on the map of this key, read before the map is drawn (so
    the page can mark it on the same run)."""
    return _code_of(st.session_state.get(f"{key}_leaflet" if view == "leaflet" else key), view)


def streets_shown() -> TileSource | None:
    """The street map the full-size maps draw on (None: none, or switched off)."""
    return None if state.get("streets") is False else data.street_tiles()


def street_toggle() -> bool:
    """The street map under the districts, on unless switched off (offered only where one
    is configured or built)."""
    if data.street_tiles() is None:
        return False
    value = st.toggle(t("street_map"), key=state.bind("streets", lambda v: v == "1",
                                                      lambda _v: True, True),
                      help=t("street_map_help"))
    state.publish(streets=None if value else "0")
    return bool(value)


def map_view(layers: Sequence[LayerData], key: str = "map", height: int = 560,
             view: str = "webgl", extruded: bool = False,
             camera: MapView | None = None) -> str | None:
    """Draw the map with the names of what it shows, on the street map when there is one;
    returns the district code the user clicked, if any.

    A full-size map looks where ``camera`` or a shared link (``?at=``) says; small multiples
    always show the whole city, without names."""
    st.markdown(LEGEND_CSS, unsafe_allow_html=True)
    small = height < 400
    camera = camera or (None if small else shared_camera())
    drawn = list(layers) if small else [*layers, *data.names_for(layers)]
    streets = None if small else streets_shown()
    lg = lang()
    if view == "leaflet":
        where = {"location": (camera.lat, camera.lon), "zoom": camera.leaflet_zoom()} \
            if camera else {}
        out = st_folium(folium_map(drawn, lang=lg, tiles=streets, **where),
                        key=f"{key}_leaflet", height=height, use_container_width=True,
                        returned_objects=["last_active_drawing"])
        street_credit(streets)
        return _code_of(out, view)
    chart = data.deck_for(drawn, data.basemap_url(streets), extruded, small=small, view=camera,
                          on_streets=streets is not None)
    event = st.pydeck_chart(chart, height=height, key=key, on_select="rerun",
                            selection_mode="single-object")
    street_credit(streets)
    return _code_of(event, view)


def street_credit(streets: TileSource | None) -> None:
    """Under the map: whom the street map credits and, for the offline pack, the date of
    its OpenStreetMap data (live tiles from a server have no single date)."""
    if streets is None:
        return
    credit = escape_markdown(streets.attribution(lang()))
    if streets.origin:  # a tile server: live tiles
        st.caption(t("street_credit", credit=credit))
    elif streets.data_date:
        st.caption(t("street_credit_dated", credit=credit, date=day(streets.data_date)))
    else:
        st.caption(t("street_credit_undated", credit=credit))


def layer_panel(layer: LayerData) -> None:
    """Legend, one-sentence summary and the table: nothing only visible as colour."""
    legend(layer)
    st.write(escape_markdown(layer.summary()))
    formula = layer.spec.formula(lang())
    if formula:  # a derived index: what it is, then how it is made
        st.caption(layer.spec.description(lang()))
        st.caption(f"{t('formula')}: {formula}")
    with st.expander(f"{t('table')}: {layer.title}", expanded=layer.spec.kind == "choropleth"):
        st.dataframe(layer.table(), hide_index=True, width="stretch")
    source_note(layer.spec.cited)


def district_picker(clicked: str | None, chosen: str | None = None) -> str | None:
    """The district picker; a new click on the map or a newly ``chosen`` search result
    selects its district (the map's selection stays while the picker moves on)."""
    districts = data.load(loaders.districts)
    if districts is None:
        return None
    codes = ["", *districts.code]
    names = dict(zip(districts.code, districts.name, strict=True))
    key = state.bind_choice("district", codes, "")
    if clicked and clicked != st.session_state.get("_last_click"):
        st.session_state[key] = clicked
    st.session_state["_last_click"] = clicked
    if chosen in codes:
        st.session_state[key] = chosen
    none = t("district_none")
    code = st.selectbox(t("district"), codes, key=key,
                        format_func=lambda c: names.get(c, none))
    state.publish(district=code or None)
    return code or None


PROFILE_ANCHOR = "profil"  # a search result links here (far below the map on a phone)


def district_profile(code: str, year: int | None = None) -> None:
    """Key figures against the city, and the population trend since 2005
    (``figures.profile``: the static district pages show the same)."""
    ind = data.load(loaders.indicators)
    city = data.load(loaders.city_reference)
    districts = data.load(loaders.districts)
    if ind is None or city is None or districts is None:
        return
    name = districts.set_index("code").loc[code, "name"]
    st.header(t("profile_title", name=escape_markdown(name)), anchor=PROFILE_ANCHOR)
    year = profile.profile_year(ind, code, year)
    st.caption(t("profile_intro", year=year))
    page = profile_files.profile_path(code, lang())
    if page:  # the same figures on a light page: to share, print or keep as PDF
        st.markdown(t("profile_page", href=page))
    cols = st.columns(4)
    lg = lang()
    for i, fig in enumerate(profile.key_figures(ind, city, code, year)):
        with cols[i % 4]:
            if fig.value is None:
                st.metric(fig.label(lg), "–", help=t("no_data"))
            else:
                st.metric(fig.label(lg), fig.value_text(lg), delta=fig.delta_text(lg),
                          delta_color="off")
    st.markdown(f"**{t('trend_title')}**")
    chart(charts.population_trend_chart(profile.population(ind, code), name, lg))
    st.write(profile.change_text(ind, code, lg))
    source_note(["bevoelkerung", "stadtbereiche"])


def chart(figure: object, *, width: str = "stretch") -> None:
    """A chart at the height it was drawn for, as wide as its column ("stretch") or at its
    own width ("content"), its title and subtitle above it as page text.

    Left alone, Streamlit fits the whole chart (title, axes, legend) into that height
    (Vega-Lite's autosize "fit"), and a short chart's marks shrink to nothing: the planner's
    bars were a quarter of a pixel high. And Vega cannot wrap a title: on a phone it cut
    them with "…" ("Temperatur in Mecklenburg-Vorpommern: A…"); page text wraps."""
    spec = dict(figure) if isinstance(figure, dict) else figure.to_dict()  # type: ignore[attr-defined]
    title, subtitle = _title_lines(spec.pop("title", None))
    if title:
        st.markdown(f"**{escape_markdown(title)}**")
    if subtitle:
        st.caption(escape_markdown(subtitle))
    fit = {"type": "fit-x" if width == "stretch" else "pad", "contains": "padding"}
    st.vega_lite_chart({**spec, "autosize": fit}, width=width)


def _title_lines(title: object) -> tuple[str, str]:
    """(title, subtitle) of a Vega-Lite title: a text, lines of text, or an object."""
    def joined(value: object) -> str:
        return " ".join(map(str, value)) if isinstance(value, list) else str(value or "")

    if isinstance(title, dict):
        return joined(title.get("text")), joined(title.get("subtitle"))
    return joined(title), ""


def source_note(dataset_ids: Sequence[str]) -> None:
    """The source line(s) right under a chart, table or layer: licence, the data's own date
    and the retrieval day of each catalogue entry it shows."""
    lines = data.source_lines(dataset_ids, lang())
    if lines:
        label = t("source_one") if len(lines) == 1 else t("source_many")
        st.caption(label + " " + "  \n".join(
            escape_markdown(line) for line in lines))


def city_total() -> tuple[int, float, float] | None:
    """(year, residents, area km²) of the whole city: the sum of the district register
    figures of the latest year and the area of the district polygons; None without data."""
    city = data.load(loaders.city_reference)
    years = data.load(loaders.indicator_years)
    area = data.load(loaders.city_area_km2)
    if city is None or years is None or area is None or not years.get("einwohner"):
        return None
    year = years["einwohner"][-1]
    return year, float(city[("einwohner", year)]), float(area)


def city_figures() -> None:
    """Rostock in three figures, what the total is, and — the one place the app says so —
    why it differs from the official figure."""
    total = city_total()
    if total is None:
        return
    year, residents, area = total
    lg = lang()
    stichtag = day(f"{year}-12-31", lg)
    st.markdown(f"**{t('city_title')}**")
    cols = st.columns(3)
    cols[0].metric(t("city_districts"), number(len(geodata.DISTRICT_CODES), lg))
    cols[1].metric(t("city_area"), f"{number(area, lg, 1)} km²")
    cols[2].metric(t("city_residents"), number(residents, lg),
                   help=t("city_residents_help", day=stichtag))
    note = t("city_what", day=stichtag)
    official = OFFICIAL_POPULATION.get(year)
    if official is not None:
        note += " " + t("city_why", official=number(official.value, lg),
                        publisher=official.publisher_en if lg == "en" else official.publisher_de,
                        url=official.reported_in, diff=number(residents - official.value, lg),
                        register_url=REGISTER_REPORT)
    st.caption(note)
    source_note(["bevoelkerung", "stadtbereiche"])


def sources_footer(dataset_ids: Sequence[str]) -> None:
    """Every source of the page once more, at its foot."""
    st.divider()
    st.markdown(f"**{t('sources')}**")
    st.markdown("\n".join("- " + escape_markdown(line)
                          for line in data.source_lines(dataset_ids, lang())))


def query(indicator: str = "einwohner", year: int | None = None) -> Query:
    scheme = state.get("scheme") or "quantiles"
    k = state.get("k") or 5
    return Query(indicator=indicator, year=year, scheme=str(scheme), k=int(k), lang=lang())
