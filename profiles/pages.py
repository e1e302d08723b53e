"""The HTML of the profile pages. Every value from data is escaped here (``esc``); numbers
are written in the page's language."""

from __future__ import annotations

from typing import Any

import pandas as pd

from figures.profile import PROFILE_INDICATORS, KeyFigure
from geodata.indicators import BY_ID
from geodata.planning import gap_spans
from geodata.search import KINDS
from text import LANGS, day, number, t
from text import escape_text as esc

from .model import INDEX_INDICATORS, Site, json_for_html


def _other(lang: str) -> str:
    return next(x for x in LANGS if x != lang)


def _alternates(site: Site, lang: str, page: str) -> str:
    """Search engines accept language alternates only as absolute URLs: written when the
    public address is configured (``DASHBOARD_BASE_URL``), left out otherwise."""
    if not site.base_url:
        return ""
    url = f"{site.base_url.rstrip('/')}/profile"
    return "".join(f'<link rel="alternate" hreflang="{x}" href="{esc(url)}/{x}/{page}">'
                   for x in LANGS) + f'<link rel="canonical" href="{esc(url)}/{lang}/{page}">'


def _head(site: Site, lang: str, title: str, description: str, alternate: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f'<meta name="description" content="{esc(description)}">'
        + _alternates(site, lang, alternate) +
        f'<link rel="stylesheet" href="../{site.assets["leaflet/leaflet.css"]}">'
        f'<link rel="stylesheet" href="../{site.assets["profile.css"]}">'
        f'<script defer src="../{site.assets["leaflet/leaflet.js"]}"></script>'
        f'<script defer src="../{site.assets["profile.js"]}"></script>'
        f'<script defer src="../{site.assets["search.js"]}"></script>'
        "</head><body>"
        f'<a class="skip" href="#main">{t("profiles.skip", lang)}</a>')


def _nav(site: Site, lang: str, app_href: str, alternate: str, app_text: str,
         index: bool = False) -> str:
    other = _other(lang)
    home = "" if index else f'<a href="index.html">{t("profiles.all", lang)}</a>'
    return (
        f'<header><p class="site">{t("profiles.site", lang)}</p>'
        f'<nav aria-label="{t("profiles.nav", lang)}">{home}'
        f'<a href="{app_href}">{app_text}</a>'
        f'<a href="../{other}/{alternate}" hreflang="{other}" lang="{other}">'
        f'{t("profiles.other_lang", lang)}</a></nav>{_search(site, lang)}</header>')


def _search(site: Site, lang: str) -> str:
    """The search field. It runs in the page (``static/search.js``) and leads to a
    district's profile; without JavaScript the form hands the text to the app (``?q=``)."""
    config = {
        "index": f"../{site.assets['search.json']}",
        "districts": {c: {"name": n, "href": f"{site.slugs[c]}.html"}
                      for c, n in site.names.items()},
        "kinds": {k: t(f"search_kind_{k}", lang) for k in KINDS},
        **{key: t(f"profiles.search_{key}", lang)
           for key in ("found", "in_district", "in_ortsteil", "unavailable")},
        "nothing": t("search_nothing", lang), "outside": t("search_outside", lang),
        "also": t("search_also", lang), "no_house": t("search_no_house", lang),
        "needs_lists": t("search_needs_lists", lang),
    }
    hidden = '<input type="hidden" name="lang" value="en">' if lang == "en" else ""
    return (
        '<form id="search" class="search" role="search" action="../../" method="get">'
        f'<label for="q">{t("search_label", lang)}</label>'
        '<span class="field"><input id="q" name="q" type="search" autocomplete="off" '
        f'spellcheck="false" maxlength="200" placeholder="{esc(t("search_placeholder", lang))}" '
        f'aria-describedby="search-status">{hidden}'
        f'<button type="submit">{t("profiles.search_button", lang)}</button></span>'
        '<p id="search-status" class="note" role="status" aria-live="polite"></p>'
        f'<ul id="search-results" class="results" aria-label="{t("search_results", lang)}">'
        "</ul></form>"
        f'<script type="application/json" id="search-config">{json_for_html(config)}</script>')


def _footer(site: Site, lang: str) -> str:
    return (f'<footer><p>{t("profiles.footer", lang)}</p>'
            f'<p>{t("profiles.built", lang, day=day(site.built, lang))}</p></footer>')


def _map_config(site: Site, lang: str, **extra: Any) -> str:
    config = {"data": f"../{site.assets[f'map-{lang}.json']}", **extra}
    return f'<script type="application/json" id="map-config">{json_for_html(config)}</script>'


def source_list(lines: list[str], search: list[str], lang: str) -> str:
    """The page's sources, then the search's (left out of print: a printout has no
    search)."""
    html = '<ul class="sources">' + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>"
    if search:
        html += (f'<div class="screen"><p>{t("profiles.search_sources", lang)}</p>'
                 '<ul class="sources">' + "".join(f"<li>{esc(x)}</li>" for x in search) +
                 "</ul></div>")
    return html


def _table(caption: str, head: list[str], rows: list[list[str]], cls: str = "") -> str:
    th = "".join(f'<th scope="col">{h}</th>' for h in head)
    body = "".join("<tr>" + f'<th scope="row">{r[0]}</th>' + "".join(
        f"<td>{c}</td>" for c in r[1:]) + "</tr>" for r in rows)
    return (f'<div class="table{(" " + cls) if cls else ""}"><table><caption>{caption}'
            f"</caption><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>")


def district(*, site: Site, code: str, lang: str, name: str, lead: str,
             figures: list[KeyFigure], neighbours: list[tuple[str, str, Any, Any]],
             pop: pd.DataFrame, trend_svg: str, change: str, shares: pd.DataFrame,
             age_svg: str, age_first: int, description: str, with_pdf: bool = True) -> str:
    page = f"{site.slugs[code]}.html"
    year = site.year
    head = _head(site, lang, t("profiles.page_title", lang, name=name), description, page)
    nav = _nav(site, lang, f"../../?district={code}" + ("&amp;lang=en" if lang == "en" else ""),
               page, t("profiles.app", lang))
    fig_rows = [[esc(f.label(lang)), esc(f.value_text(lang)), esc(f.city_text(lang)),
                 esc(f.difference_text(lang) or "–"), esc(f.rank_text(lang))] for f in figures]
    figures_table = _table(
        t("profiles.figures_h", lang, year=year),
        [t("profiles.col_indicator", lang), esc(name), t("profiles.col_city", lang),
         t("profiles.col_diff", lang), t("profiles.col_rank", lang)], fig_rows, "figures")
    n_rows = [[f'<a href="{site.slugs[c]}.html">{esc(n)}</a>', esc(number(p, lang)),
               esc(number(d, lang))] for c, n, p, d in neighbours]
    neighbours_table = _table(
        t("profiles.neighbours", lang),
        [t("profiles.col_district", lang), t("profiles.col_residents", lang, year=year),
         t("profiles.col_density", lang, year=year)], n_rows)
    trend_rows = [[str(int(r.year)), esc(number(r.value, lang))] for r in pop.itertuples()]
    trend_table = _table(t("profiles.trend_h", lang, first=site.first),
                         [t("profiles.col_year", lang), t("profiles.col_residents", lang,
                                                          year="").strip()], trend_rows)
    age = ""
    if age_svg:
        wide = shares.pivot_table(index="year", columns=["area", "group"], values="value")
        head_cells = [t("profiles.col_year", lang)] + [esc(f"{a}: {g}")
                                                       for a, g in wide.columns]
        age_rows = [[str(int(y))] + [esc(number(v, lang, 1)) for v in row]
                    for y, row in zip(wide.index, wide.to_numpy(), strict=True)]
        gaps = ", ".join(gap_spans(shares["year"]))
        gap = f'<figcaption>{esc(t("profiles.age_gap", lang, years=gaps))}</figcaption>' \
            if gaps else ""
        age = (f'<section aria-labelledby="h-age"><h2 id="h-age">'
               f'{t("profiles.age_h", lang, first=age_first)}</h2>'
               f'<figure class="chart">{age_svg}{gap}</figure>'
               f'<details><summary>{t("profiles.table", lang)}</summary>'
               f'{_table(t("profiles.age_h", lang, first=age_first), head_cells, age_rows)}'
               "</details></section>")
    # The PDF is this page printed (profiles.pdf), in its language; no link when the build
    # prints none (no chromium, or --no-pdf).
    pdf = (f'<p class="pdf"><a href="{site.slugs[code]}.pdf" type="application/pdf">'
           f'{t("profiles.pdf", lang)}</a></p>') if with_pdf else ""
    return (
        head + nav +
        f'<main id="main"><p class="kicker">{t("profiles.kicker", lang, code=esc(code))}</p>'
        f"<h1>{esc(name)}</h1><p class=\"lead\">{lead}</p>"
        f'<section aria-labelledby="h-fig"><h2 id="h-fig">'
        f'{t("profiles.figures_h", lang, year=year)}</h2>{figures_table}'
        f'<p class="note">{t("profiles.rank_note", lang)}</p></section>'
        f'<section aria-labelledby="h-map"><h2 id="h-map">{t("profiles.map_h", lang)}</h2>'
        f'<div id="map" class="map" role="region" '
        f'aria-label="{esc(t("profiles.map_label", lang, name=name))}">'
        f'<p class="nojs">{t("profiles.no_js", lang)}</p></div>{neighbours_table}</section>'
        f'<section aria-labelledby="h-trend"><h2 id="h-trend">'
        f'{t("profiles.trend_h", lang, first=site.first)}</h2>'
        f'<figure class="chart">{trend_svg}<figcaption>{esc(change)}</figcaption></figure>'
        f'<details><summary>{t("profiles.table", lang)}</summary>{trend_table}</details>'
        "</section>" + age +
        f'<section aria-labelledby="h-src"><h2 id="h-src">{t("profiles.sources_h", lang)}'
        f'</h2><!--SOURCES--><p class="note">{t("profiles.map_credit", lang)}</p>{pdf}'
        "</section></main>" + _footer(site, lang) +
        _map_config(site, lang, code=code, neighbours=[c for c, *_ in neighbours]) +
        "</body></html>\n")


def index(site: Site, lang: str, sources: str) -> str:
    head = _head(site, lang, f'{t("profiles.index_title", lang)} · {t("profiles.site", lang)}',
                 t("profiles.index_description", lang, first=site.first), "index.html")
    nav = _nav(site, lang, "../../" + ("?lang=en" if lang == "en" else ""), "index.html",
               t("profiles.app_index", lang), index=True)
    options = "".join(f'<option value="{i}">{esc(BY_ID[i].label(lang))}</option>'
                      for i in INDEX_INDICATORS)
    shown = PROFILE_INDICATORS[:5]
    latest = site.ind[site.ind.year == site.year].pivot_table(
        index="code", columns="indicator", values="value")
    rows = []
    for code in sorted(site.names, key=lambda c: site.names[c]):
        rows.append([f'<a href="{site.slugs[code]}.html">{esc(site.names[code])}</a>'] + [
            esc(number(latest.get(i, {}).get(code), lang, BY_ID[i].digits)) for i in shown])
    head_cells = [t("profiles.col_district", lang)] + [
        esc(BY_ID[i].label(lang) + (f" ({BY_ID[i].unit(lang)})" if BY_ID[i].unit(lang) else ""))
        for i in shown]
    table = _table(f'{t("profiles.list_h", lang)} {site.year}', head_cells, rows, "list")
    return (
        head + nav +
        f'<main id="main"><h1>{t("profiles.index_title", lang)}</h1>'
        f'<p class="lead">{t("profiles.index_intro", lang, first=site.first)}</p>'
        f'<section aria-labelledby="h-map"><h2 id="h-map">{t("profiles.index_map_h", lang)}'
        f'</h2><label for="indicator">{t("profiles.indicator", lang)}</label> '
        f'<select id="indicator">{options}</select>'
        f'<div id="map" class="map city" role="region" '
        f'aria-label="{esc(t("profiles.index_map_h", lang))}">'
        f'<p class="nojs">{t("profiles.no_js", lang)}</p></div>'
        f'<div class="legend" role="group" aria-label="{t("profiles.legend", lang)}">'
        f'<p id="legend-title"></p><ul id="legend"></ul></div></section>'
        f'<section aria-labelledby="h-list"><h2 id="h-list">{t("profiles.list_h", lang)}</h2>'
        f'{table}</section>'
        f'<section aria-labelledby="h-src"><h2 id="h-src">{t("profiles.sources_h", lang)}'
        f'</h2>{sources}<p class="note">{t("profiles.map_credit", lang)}</p>'
        "</section></main>" + _footer(site, lang) + _map_config(site, lang, code=None) +
        "</body></html>\n")


def root() -> str:
    """``/profile/``: the German index (the language a visitor is most likely to read),
    with the English one a link away."""
    return ('<!doctype html>\n<html lang="de"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="refresh" content="0; url=de/index.html">'
            "<title>Rostock in Zahlen</title></head><body><main>"
            '<p><a href="de/index.html">Die 21 Stadtbereiche (Deutsch)</a></p>'
            '<p><a href="en/index.html" lang="en">The 21 districts (English)</a></p>'
            "</main></body></html>\n")
