"""Altair charts for the climate and waterfront pages: pure functions, no Streamlit here.

Every chart takes ``lang`` ("de" default, "en" second) and carries its data inline (a small
DataFrame embedded as a named dataset), so it renders offline and never fetches a URL.

Number formatting: a German chart gets a Vega ``config.locale`` (decimal comma, thousands
dot, German month names), so the ``,.1f`` format strings in tooltips and axes print "8,5" and
"7.012"; an English chart keeps Vega's built-in en-US locale ("8.5", "7,012"). Because the
locale is chart configuration, the returned charts are top-level charts (already configured):
show them as they are rather than layering them into other charts.

Colours are colour-blind safe: ColorBrewer RdBu (Vega "redblue", reversed: blue = colder,
red = warmer) for temperature anomalies and ColorBrewer Oranges for hot days; no red–green.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from geodata.climate import WMO_REF, anomalies, linear_trend, summer_days
from geodata.sea import annual_sea_level
from text import number, signed
from text import t as _t

# ColorBrewer RdBu end colours (colour-blind safe diverging pair).
BLUE = "#2166ac"
RED = "#b2182b"
LINE = "#333333"
# ColorBrewer Oranges: light for days >= 25 °C, dark for days >= 30 °C.
ORANGE_LIGHT = "#fdae6b"
ORANGE_DARK = "#a63603"
BAND = "#9ecae1"

# German number and time locale for Vega (https-free: plain strings only).
LOCALE_DE = alt.Locale(
    number=alt.NumberLocale(
        decimal=",", thousands=".", grouping=[3], currency=["", "\u00a0€"], minus="−"),
    time=alt.TimeLocale(
        dateTime="%A, der %e. %B %Y, %X", date="%d.%m.%Y", time="%H:%M:%S",
        periods=["AM", "PM"],
        days=["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
              "Samstag"],
        shortDays=["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        months=["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                "September", "Oktober", "November", "Dezember"],
        shortMonths=["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt",
                     "Nov", "Dez"],
    ),
)

# Monthly Warnemünde variables the chart knows: label (de, en), unit, optional band columns.
MONTHLY_VARIABLES: dict[str, tuple[str, str, str, tuple[str, str] | None]] = {
    "t_mean_c": ("Mitteltemperatur", "mean temperature", "°C", ("tn_mean_c", "tx_mean_c")),
    "tx_mean_c": ("mittleres Tagesmaximum", "mean daily maximum", "°C", None),
    "tn_mean_c": ("mittleres Tagesminimum", "mean daily minimum", "°C", None),
    "t_abs_max_c": ("höchste Temperatur", "highest temperature", "°C", None),
    "t_abs_min_c": ("tiefste Temperatur", "lowest temperature", "°C", None),
    "precip_mm": ("Niederschlag", "precipitation", "mm", None),
    "sunshine_h": ("Sonnenscheindauer", "sunshine", "h", None),
}



def _lang(lang: str) -> str:
    """'de' or 'en'; anything else (e.g. 'de-DE', 'EN') is mapped, unknown falls back to 'de'."""
    code = (lang or "de")[:2].lower()
    return code if code in ("de", "en") else "de"


def text(key: str, lang: str = "de", **values: Any) -> str:
    """A chart text (``[chart]`` in the text catalogue) in the given language, with
    {placeholders} filled."""
    return _t(f"chart.{key}", _lang(lang), **values)


def _finish(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """German charts get the German Vega locale; both get a quiet view without a frame."""
    if _lang(lang) == "de":
        chart = chart.configure(locale=LOCALE_DE)
    return chart.configure_view(stroke=None)


def _ref_text(ref: tuple[int, int]) -> dict[str, int]:
    return {"a": int(ref[0]), "b": int(ref[1])}


# --- 1. warming stripes ----------------------------------------------------------------------


def warming_stripes(
    mv: pd.DataFrame, lang: str = "de", ref: tuple[int, int] = WMO_REF
) -> alt.Chart:
    """One stripe per year of MV's annual mean temperature, coloured by its anomaly.

    The colour domain is symmetric around 0, so equally warm and cool years get equally
    strong colours. No axes: the title, subtitle and a screen-reader description carry the
    meaning; the tooltip gives year, temperature and anomaly.
    """
    lang = _lang(lang)
    an = anomalies(mv, "temperatur", ref)
    data = an.round({"value": 2, "anomaly": 2})
    limit = float(data["anomaly"].abs().max()) or 1.0
    first, last = int(an["year"].min()), int(an["year"].max())
    warm = an.loc[an["anomaly"].idxmax()]
    cold = an.loc[an["anomaly"].idxmin()]
    description = text(
        "stripes.description", lang, first=first, last=last, **_ref_text(ref),
        ref=number(an.attrs["ref_mean"], lang, 1),
        warmest=int(warm["year"]), tmax=number(warm["value"], lang, 1),
        dmax=signed(round(warm["anomaly"], 1), lang, 1),
        coldest=int(cold["year"]), tmin=number(cold["value"], lang, 1),
        dmin=signed(round(cold["anomaly"], 1), lang, 1),
    )
    chart = (
        alt.Chart(data, description=description)
        .mark_rect(strokeWidth=0)
        .encode(
            x=alt.X("year:O", axis=None, scale=alt.Scale(paddingInner=0, paddingOuter=0)),
            color=alt.Color(
                "anomaly:Q", legend=None,
                scale=alt.Scale(scheme="redblue", reverse=True, domain=[-limit, limit],
                                domainMid=0)),
            tooltip=[
                alt.Tooltip("year:O", title=text("year", lang)),
                alt.Tooltip("value:Q", title=text("temperature", lang), format=",.1f"),
                alt.Tooltip("anomaly:Q", title=text("anomaly", lang, **_ref_text(ref)),
                            format="+,.1f"),
            ],
        )
        .properties(
            title=alt.TitleParams(
                text("stripes.title", lang, first=first, last=last),
                subtitle=text("stripes.subtitle", lang, **_ref_text(ref)), anchor="start"),
            width=700, height=160,
        )
    )
    return _finish(chart, lang)


# --- 2. anomaly bars -------------------------------------------------------------------------


def anomaly_chart(
    mv: pd.DataFrame, lang: str = "de", ref: tuple[int, int] = WMO_REF
) -> alt.LayerChart:
    """Annual temperature anomaly as bars (blue below, red above the reference mean) with
    the mean of the last 10 years as a line, which shows the trend through year-to-year noise.

    The 10-year mean is trailing (the year and the nine before it) and starts only once ten
    years exist, so it never looks into the future or rests on a short run.
    """
    lang = _lang(lang)
    an = anomalies(mv, "temperatur", ref)
    an["rolling"] = an["anomaly"].rolling(10, min_periods=10).mean()
    warmer = text("warmer", lang, **_ref_text(ref))
    colder = text("colder", lang, **_ref_text(ref))
    an["direction"] = np.where(an["anomaly"] > 0, warmer, colder)
    data = an.round({"value": 2, "anomaly": 2, "rolling": 3})
    first, last = int(an["year"].min()), int(an["year"].max())
    # Ordinal years: one band per year, so 140+ bars never overlap; labels every 20 years.
    x = alt.X("year:O", title=text("year", lang),
              axis=alt.Axis(values=[y for y in range(first, last + 1) if y % 20 == 0],
                            labelAngle=0),
              scale=alt.Scale(paddingInner=0.1))
    tooltip = [
        alt.Tooltip("year:O", title=text("year", lang)),
        alt.Tooltip("value:Q", title=text("temperature", lang), format=",.1f"),
        alt.Tooltip("anomaly:Q", title=text("anomaly", lang, **_ref_text(ref)), format="+,.1f"),
        alt.Tooltip("rolling:Q", title=text("rolling", lang), format="+,.2f"),
    ]
    base = alt.Chart(data)
    bars = base.mark_bar().encode(
        x=x,
        y=alt.Y("anomaly:Q", title=text("anomaly.axis", lang),
                axis=alt.Axis(format="+,.1f")),
        color=alt.Color("direction:N", title=None,
                        scale=alt.Scale(domain=[colder, warmer], range=[BLUE, RED]),
                        # one entry per line: side by side they are wider than a phone
                        legend=alt.Legend(orient="top", direction="vertical", labelLimit=0)),
        tooltip=tooltip,
    )
    line = base.mark_line(color=LINE, strokeWidth=2).encode(
        x=x, y="rolling:Q", tooltip=tooltip)
    chart = alt.layer(bars, line).properties(
        title=alt.TitleParams(text("anomaly.title", lang, **_ref_text(ref)),
                              subtitle=text("anomaly.subtitle", lang), anchor="start"),
        description=text("anomaly.description", lang, first=first, last=last,
                         **_ref_text(ref)),
        width=700, height=300,
    )
    return _finish(chart, lang)


# --- 3. Warnemünde monthly -------------------------------------------------------------------


def warnemuende_monthly_chart(
    monthly: pd.DataFrame, variable: str = "t_mean_c", lang: str = "de"
) -> alt.LayerChart:
    """Monthly Warnemünde values as a line; for the mean temperature with a band from the
    mean daily minimum to the mean daily maximum, which shows the typical daily range.

    Missing months are not interpolated: the series is laid on a full month grid and months
    without a value stay null, so the line (and band) breaks there.
    """
    lang = _lang(lang)
    if variable not in MONTHLY_VARIABLES:
        raise ValueError(f"The variable '{variable}' is not supported; use one of "
                         f"{', '.join(MONTHLY_VARIABLES)}.")
    label_de, label_en, unit, band = MONTHLY_VARIABLES[variable]
    label = label_de if lang == "de" else label_en
    columns = [variable, *(band or ())]
    df = monthly.assign(date=pd.to_datetime(dict(year=monthly["year"], month=monthly["month"],
                                                 day=1)))
    df = df.groupby("date", as_index=True)[columns].mean()
    grid = pd.date_range(df.index.min(), df.index.max(), freq="MS")
    df = df.reindex(grid).round(2).rename_axis("date").reset_index()
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    first, last = df["date"].iloc[0][:7], df["date"].iloc[-1][:7]
    title_y = f"{label[0].upper()}{label[1:]} ({unit})"
    x = alt.X("date:T", title=text("month", lang), axis=alt.Axis(format="%Y"))
    fmt = ",.1f" if unit == "°C" else ",.0f"
    tooltip = [alt.Tooltip("date:T", title=text("month", lang), format="%B %Y"),
               alt.Tooltip(f"{variable}:Q", title=title_y, format=fmt)]
    if band:
        tooltip += [alt.Tooltip(f"{band[0]}:Q", title=text("band.low", lang), format=fmt),
                    alt.Tooltip(f"{band[1]}:Q", title=text("band.high", lang), format=fmt)]
    layers: list[alt.Chart] = []
    if band:
        layers.append(alt.Chart().mark_area(
            color=BAND, opacity=0.5, invalid="break-paths-show-domains").encode(
            x=x, y=alt.Y(f"{band[0]}:Q", title=title_y), y2=f"{band[1]}:Q", tooltip=tooltip))
    layers.append(alt.Chart().mark_line(
        color=BLUE, strokeWidth=1.5, invalid="break-paths-show-domains").encode(
        x=x, y=alt.Y(f"{variable}:Q", title=title_y),
        tooltip=tooltip))
    subtitle = (text("monthly.band_note", lang) if band else "") + text("monthly.subtitle", lang)
    chart = alt.layer(*layers, data=df).properties(
        title=alt.TitleParams(text("monthly.title", lang, label=label), subtitle=subtitle,
                              anchor="start"),
        description=text("monthly.description", lang, label=label, first=first, last=last),
        width=700, height=300,
    )
    return _finish(chart, lang)


# --- 4. summer days --------------------------------------------------------------------------


def summer_days_chart(monthly: pd.DataFrame, lang: str = "de") -> alt.LayerChart:
    """Summer days (>= 25 °C) with hot days (>= 30 °C, a subset) drawn over them, per year.

    Only complete years are shown (see ``summer_days``): a year missing a summer month would
    look cooler than it was. The subtitle says so and names the years left out.
    """
    lang = _lang(lang)
    table = summer_days(monthly)
    shown = table.loc[table["complete"]].copy()
    left_out = [int(y) for y in table.loc[~table["complete"], "year"]]
    note = text("summer.left_out", lang, years=", ".join(map(str, left_out))) if left_out else ""
    label25, label30 = text("summer.ge25", lang), text("summer.ge30", lang)
    shown["filled"] = shown["filled_ge25"]
    long = pd.concat([
        shown.assign(series=label25, days=shown["days_ge25"]),
        shown.assign(series=label30, days=shown["days_ge30"]),
    ])[["year", "series", "days", "days_ge25", "days_ge30", "t_max_c", "filled"]]
    x = alt.X("year:O", title=text("year", lang))
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("days:Q", title=text("summer.days", lang), stack=None),
            color=alt.Color("series:N", title=text("summer.series", lang),
                            scale=alt.Scale(domain=[label25, label30],
                                            range=[ORANGE_LIGHT, ORANGE_DARK]),
                            # one entry per line: side by side they are wider than a phone
                        legend=alt.Legend(orient="top", direction="vertical", labelLimit=0)),
            order=alt.Order("days:Q", sort="descending"),
            tooltip=[
                alt.Tooltip("year:O", title=text("year", lang)),
                alt.Tooltip("days_ge25:Q", title=label25, format=",.0f"),
                alt.Tooltip("days_ge30:Q", title=label30, format=",.0f"),
                alt.Tooltip("t_max_c:Q", title=text("summer.tmax", lang), format=",.1f"),
                alt.Tooltip("filled:Q", title=text("summer.filled", lang), format="d"),
            ],
        )
        .properties(
            title=alt.TitleParams(text("summer.title", lang),
                                  subtitle=text("summer.subtitle", lang, left_out=note),
                                  anchor="start"),
            description=text("summer.description", lang),
            width=700, height=300,
        )
    )
    return _finish(chart, lang)


# --- 5. sea level ----------------------------------------------------------------------------


def sea_level_chart(sl: pd.DataFrame, lang: str = "de") -> alt.LayerChart:
    """Annual mean sea level at Warnemünde as points and line, plus the least-squares trend.

    The trend is fitted to the monthly values (all of them, ``linear_trend``), not to the
    annual means, so incomplete years still count; the subtitle gives it in mm per year with
    the period it covers, formatted in the chart's language.
    """
    lang = _lang(lang)
    trend = linear_trend(sl["decimal_year"], sl["msl_mm"])
    annual = annual_sea_level(sl)
    annual["msl_mm"] = annual["msl_mm"].round(1)
    start, end = math.floor(trend.start), math.floor(trend.end)
    slope = number(trend.slope_per_year, lang, 1)
    trend_df = pd.DataFrame({"year": [trend.start, trend.end],
                             "trend_mm": [round(trend.at(trend.start), 1),
                                          round(trend.at(trend.end), 1)]})
    first, last = int(annual["year"].min()), int(annual["year"].max())
    x = alt.X("year:Q", title=text("year", lang), axis=alt.Axis(format="d"),
              scale=alt.Scale(nice=False, zero=False))
    y_title = text("sea.level", lang)
    tooltip = [alt.Tooltip("year:Q", title=text("year", lang), format="d"),
               alt.Tooltip("msl_mm:Q", title=y_title, format=",.0f"),
               alt.Tooltip("months:Q", title=text("sea.months", lang), format="d")]
    line = alt.Chart(annual).mark_line(
        color=BLUE, strokeWidth=1, invalid="break-paths-show-domains").encode(
        x=x, y=alt.Y("msl_mm:Q", title=text("sea.axis", lang), scale=alt.Scale(zero=False),
                     axis=alt.Axis(format=",.0f")))
    points = alt.Chart(annual).mark_point(color=BLUE, size=14, filled=True).encode(
        x=x, y="msl_mm:Q", tooltip=tooltip)
    trend_line = alt.Chart(trend_df).mark_line(color=RED, strokeWidth=2.5).encode(
        x="year:Q", y="trend_mm:Q",
        tooltip=[alt.Tooltip("trend_mm:Q", title=text("sea.trend", lang), format=",.0f")])
    chart = alt.layer(line, points, trend_line).properties(
        title=alt.TitleParams(
            text("sea.title", lang, first=first),
            subtitle=text("sea.subtitle", lang, slope=slope, start=start, end=end),
            anchor="start"),
        description=text("sea.description", lang, first=first, last=last, slope=slope),
        width=700, height=300,
    )
    return _finish(chart, lang)


# --- population trend of one district ---------------------------------------------------------


def population_trend_chart(pop: pd.DataFrame, name: str, lang: str = "de") -> alt.Chart:
    """Residents per year of one district (``year``, ``value``); the axis does not start at
    zero, so that changes of a few percent stay visible."""
    de = _lang(lang) == "de"
    frame = pd.DataFrame({"year": pop["year"].astype(int), "value": pop["value"].astype(float)})
    chart = alt.Chart(frame, description=(f"Einwohnerzahl {name} je Jahr" if de
                                          else f"Residents of {name} per year")).mark_line(
        point=alt.OverlayMarkDef(color="#21918c"), color="#21918c").encode(
        x=alt.X("year:O", title="Jahr" if de else "Year", axis=alt.Axis(labelAngle=0,
                                                                         labelOverlap=True)),
        y=alt.Y("value:Q", title="Einwohner" if de else "Residents",
                scale=alt.Scale(zero=False), axis=alt.Axis(format=",d")),
        tooltip=[alt.Tooltip("year:O", title="Jahr" if de else "Year"),
                 alt.Tooltip("value:Q", title="Einwohner" if de else "Residents",
                             format=",d")],
    ).properties(height=220)
    return _finish(chart, lang)


def age_trend_chart(shares: pd.DataFrame, name: str, lang: str = "de") -> alt.LayerChart:
    """Shares of under-15s and of residents aged 65+ per year in one district and in the
    whole city (``shares``: year, group, area, value in %); the city dashed, years on a
    scale of time (the published years have gaps), a line broken where a year is missing.

    Lines and points are two layers, so that the legend draws each area's line as it is
    drawn (solid, dashed) instead of the dot every line shares."""
    de = _lang(lang) == "de"
    frame = shares.assign(year=shares["year"].astype(int),
                          value=shares["value"].astype(float).round(1))
    areas = list(dict.fromkeys(frame["area"]))
    years = sorted(set(frame["year"]))
    # Unpublished years between the first and the last are empty rows: the lines break
    # there instead of drawing figures nobody published.
    every = pd.MultiIndex.from_product(
        [range(years[0], years[-1] + 1), list(dict.fromkeys(frame["group"])), areas],
        names=["year", "group", "area"])
    frame = frame.set_index(["year", "group", "area"])[["value"]].reindex(every).reset_index()
    base = alt.Chart(frame).encode(
        # Years on a scale of time, not as categories: equal steps would bend the lines.
        x=alt.X("year:Q", title="Jahr" if de else "Year",
                scale=alt.Scale(zero=False, nice=False, padding=12),
                axis=alt.Axis(values=years, format="d", labelAngle=0, labelOverlap=True,
                              grid=False)),
        y=alt.Y("value:Q", title="Anteil (%)" if de else "Share (%)",
                axis=alt.Axis(format=",.0f")),
        color=alt.Color("group:N", title=None, scale=alt.Scale(range=["#21918c", "#3b528b"]),
                        legend=alt.Legend(orient="bottom", direction="vertical")),
        tooltip=[alt.Tooltip("area:N", title="Gebiet" if de else "Area"),
                 alt.Tooltip("group:N", title="Gruppe" if de else "Group"),
                 alt.Tooltip("year:O", title="Jahr" if de else "Year"),
                 alt.Tooltip("value:Q", title="%", format=",.1f")],
    )
    lines = base.mark_line(invalid="break-paths-show-domains").encode(
        strokeDash=alt.StrokeDash("area:N", title=None, sort=areas,
                                  scale=alt.Scale(domain=areas, range=[[1, 0], [5, 3]]),
                                  legend=alt.Legend(orient="bottom", direction="vertical",
                                                    labelLimit=200, symbolType="stroke",
                                                    symbolStrokeColor="#31333f",
                                                    symbolStrokeWidth=2)),
        detail="area:N")
    points = base.mark_point(filled=True, opacity=1).encode(detail="area:N")
    chart = alt.layer(lines, points).properties(
        # a few years only: their default steps would make a narrow chart
        height=200, width=300,
        description=(
            f"Anteile der unter 15-Jährigen und der ab 65-Jährigen je Jahr, {name} und "
            "Gesamtstadt" if de else
            f"Shares of under-15s and of people aged 65+ per year, {name} and the city"))
    return _finish(chart, lang)


# --- resilience heatmap: districts × indicators ------------------------------------------------


def resilience_heatmap(
    ind: pd.DataFrame, year: int, indicators: list[str] | tuple[str, ...], lang: str = "de",
    *, names: dict[str, str] | pd.Series | None = None,
) -> alt.LayerChart:
    """Districts (rows, sorted by name) × indicators (columns, in the order given) for one
    year: each cell is coloured by how far the district is from the others and shows the
    value itself.

    ``ind`` is ``geodata.loaders.indicators()`` (code, year, indicator, value; a ``name``
    column is used if present, else ``names`` (code → name), else the code). The colour is the
    z-score of the value among the districts with a value for that indicator and year
    ((value − mean of the districts) ÷ their standard deviation, ddof 0; the mean is not
    weighted by residents, so it is not the city figure). ColorBrewer PuOr (Vega
    "purpleorange": purple below, orange above the mean; no value judgement, colour-blind
    safe) on a domain symmetric around 0. Indicators without any value in ``year`` are left
    out and named in the subtitle. The cell text is formatted in Vega with the chart locale
    (German decimals in German), with as many decimals as the published values need (≤ 2).
    Raises ValueError for an indicator id ``geodata.indicators`` does not know, or when no
    chosen indicator has data in ``year``.
    """
    import textwrap
    import unicodedata

    from geodata.indicators import BY_ID

    lang = _lang(lang)
    year = int(year)
    words = {key: text(f"heatmap.{key}", lang) for key in (
        "title", "note", "missing", "district", "indicator", "value", "unit", "z",
        "description")}

    chosen = list(dict.fromkeys(indicators))
    unknown = [i for i in chosen if i not in BY_ID]
    if unknown:
        raise ValueError(f"Unknown indicator(s): {', '.join(unknown)}; known are "
                         f"{', '.join(BY_ID)}.")
    rows = ind.loc[(ind["year"].astype(int) == year) & ind["indicator"].isin(chosen)
                   & ind["value"].notna()]
    with_data = [i for i in chosen if (rows["indicator"] == i).any()]
    dropped = [i for i in chosen if i not in with_data]
    if not with_data:
        raise ValueError(f"None of the indicators {', '.join(chosen)} has data for {year}.")

    if "name" in rows.columns:
        name_of = rows.drop_duplicates("code").set_index("code")["name"].astype(str)
    else:
        name_of = pd.Series(dict(names) if names is not None else {}, dtype="object")
    data = (rows.groupby(["indicator", "code"], as_index=False)["value"].first()
            .astype({"code": str, "value": float}))
    data["district"] = [str(name_of.get(c, c)) for c in data["code"]]
    grouped = data.groupby("indicator")["value"]
    std = grouped.transform(lambda v: v.std(ddof=0))
    data["z"] = ((data["value"] - grouped.transform("mean")) / std.where(std > 0)).fillna(0.0)
    data["z"] = data["z"].round(2)

    def digits(values: pd.Series) -> int:
        for d in (0, 1):
            if np.allclose(values * 10**d, np.round(values * 10**d), atol=1e-6):
                return d
        return 2

    fmt = {i: f",.{digits(g)}f" for i, g in data.groupby("indicator")["value"]}
    data["fmt"] = data["indicator"].map(fmt)
    data["label"] = data["indicator"].map(lambda i: BY_ID[i].label(lang))
    data["unit"] = data["indicator"].map(lambda i: BY_ID[i].unit(lang))
    limit = max(1.0, math.ceil(float(data["z"].abs().max()) * 10) / 10)
    # Dark text on light cells, white text on the strongest colours.
    data["ink"] = np.where(data["z"].abs() > 0.6 * limit, "#ffffff", "#222222")
    data = data[["code", "district", "indicator", "label", "value", "unit", "z", "fmt", "ink"]]

    def sort_key(name: str) -> str:  # DIN 5007-1: ä like a, ß like ss
        plain = unicodedata.normalize("NFKD", name.replace("ß", "ss"))
        return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()

    district_order = sorted(data["district"].unique(), key=sort_key)
    label_order = [BY_ID[i].label(lang) for i in with_data]
    # Wrapped by hand: Vega cuts a long subtitle at the chart's width.
    subtitle = textwrap.wrap(words["note"].format(year=year), 60)
    if dropped:
        subtitle += textwrap.wrap(words["missing"].format(
            year=year, labels=", ".join(BY_ID[i].label(lang) for i in dropped)), 60)

    x = alt.X("label:N", title=None, sort=label_order,
              # Slanted labels run parallel and never cover each other, but their boxes
              # do: Vega's overlap check would hide every other column's name.
              axis=alt.Axis(orient="top", labelAngle=-35, labelLimit=0, labelAlign="left",
                            labelOverlap=False))
    y = alt.Y("district:N", title=None, sort=district_order,
              axis=alt.Axis(labelLimit=200))  # "Kröpeliner-Tor-Vorstadt" in full
    tooltip = [
        alt.Tooltip("district:N", title=words["district"]),
        alt.Tooltip("label:N", title=words["indicator"]),
        alt.Tooltip("value_text:N", title=words["value"]),
        alt.Tooltip("unit:N", title=words["unit"]),
        alt.Tooltip("z:Q", title=words["z"], format="+,.2f"),
    ]
    base = alt.Chart(data).transform_calculate(value_text="format(datum.value, datum.fmt)")
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        x=x, y=y,
        color=alt.Color("z:Q", title=words["z"],
                        scale=alt.Scale(scheme="purpleorange", domain=[-limit, limit],
                                        domainMid=0),
                        legend=alt.Legend(orient="bottom", direction="horizontal",
                                          gradientLength=240, format=",.1f",
                                          labelExpr="(datum.value > 0 ? '+' : '')"
                                                    " + datum.label")),
        tooltip=tooltip,
    )
    labels = base.mark_text(fontSize=10).encode(
        x=x, y=y, text="value_text:N",
        color=alt.Color("ink:N", scale=None, legend=None), tooltip=tooltip,
    )
    chart = alt.layer(cells, labels).properties(
        title=alt.TitleParams(words["title"].format(year=year), subtitle=subtitle,
                              anchor="start", frame="bounds", limit=0),
        description=words["description"].format(year=year, labels=", ".join(label_order)),
        width=alt.Step(72), height=alt.Step(20),
    ).resolve_scale(color="independent").resolve_legend(color="independent")
    return _finish(chart, lang)


# --- planner workspace -------------------------------------------------------------------------


def _comparison_title(de: bool) -> str:
    return ("Vergleich mit dem Mittel der 21 Stadtbereiche (gestrichelt)" if de
            else "Compared with the mean of the 21 districts (dashed)")


def comparison_charts(table: pd.DataFrame, lang: str = "de",
                      width: int | str = "container") -> list[alt.LayerChart]:
    """One small bar chart per indicator: the chosen districts against the mean of all 21.

    ``table``: rows of ``geodata.planning.compare`` (code, name, indicator, label, unit, value,
    mean, z, flag). Flagged districts (more than one SD from the mean) are drawn darker.
    ``width="container"``: each chart takes the width of the page's column (a phone's 390 px
    as well as a desktop's), which Vega-Lite only allows for single charts, not for a
    concatenation — hence a list. The first chart carries the overall title.
    """
    de = _lang(lang) == "de"
    charts = []
    for _indicator, grp in table.groupby("indicator", sort=False):
        grp = grp.dropna(subset=["value"])
        if grp.empty:
            continue
        label = str(grp["label"].iloc[0])
        unit = str(grp["unit"].iloc[0] or "")
        frame = pd.DataFrame({
            "name": grp["name"], "value": grp["value"].astype(float),
            "z": grp["z"].astype(float).round(2),
            "flag": grp["flag"].map({True: ("> 1 SD vom Mittel" if de else "> 1 SD from mean"),
                                     False: ("innerhalb 1 SD" if de else "within 1 SD")}),
        })
        mean = float(grp["mean"].iloc[0])
        bars = alt.Chart(frame).mark_bar().encode(
            y=alt.Y("name:N", title=None, sort=list(frame["name"]),
                    axis=alt.Axis(labelLimit=130)),
            # the unit is in the chart's title: an axis title as long would be cut on a phone
            x=alt.X("value:Q", title=None,
                    axis=alt.Axis(labelOverlap=True, tickCount=4)),
            color=alt.Color("flag:N", title=None,
                            scale=alt.Scale(range=["#3b528b", "#a6bddb"]),
                            legend=alt.Legend(orient="bottom", direction="vertical")),
            tooltip=[alt.Tooltip("name:N", title="Stadtbereich" if de else "District"),
                     alt.Tooltip("value:Q", title=label, format=",.1f"),
                     alt.Tooltip("z:Q", title="z", format="+.2f")],
        )
        rule = alt.Chart(pd.DataFrame({"mean": [mean]})).mark_rule(
            color="#d95f02", strokeWidth=2, strokeDash=[4, 3]).encode(
            x="mean:Q",
            tooltip=[alt.Tooltip("mean:Q", format=",.1f",
                                 title="Mittel der 21" if de else "mean of the 21")])
        title = alt.TitleParams(f"{label} ({unit})" if unit else label, anchor="start", limit=0,
                                subtitle=alt.Undefined if charts else _comparison_title(de))
        charts.append(_finish((bars + rule).properties(
            title=title, height=24 * len(frame) + 10, width=width), lang))
    if not charts:
        raise ValueError("none of the chosen indicators has data in this year")
    return charts


def comparison_chart(table: pd.DataFrame, lang: str = "de") -> alt.VConcatChart:
    """The charts of :func:`comparison_charts` stacked into one fixed-width figure (the
    planner's PNG export)."""
    de = _lang(lang) == "de"
    parts = [c.copy() for c in comparison_charts(table, lang, width=420)]
    for part in parts:  # the configuration (locale) belongs to the top level only
        part.config = alt.Undefined
        part.title = alt.TitleParams(part.title.text, anchor="start")
    out = alt.vconcat(*parts).properties(
        title=alt.TitleParams(_comparison_title(de), anchor="start"))
    return _finish(out, lang)


def trend_chart(trend: pd.DataFrame, label: str, indexed: bool = False,
                lang: str = "de") -> alt.Chart:
    """Lines per district and the city; missing years stay gaps (never interpolated).

    ``trend``: rows of ``geodata.planning.trends`` (name, year, value, indexed).
    """
    de = _lang(lang) == "de"
    col = "indexed" if indexed else "value"
    frame = pd.DataFrame({"name": trend["name"], "year": trend["year"].astype(int),
                          "v": trend[col].astype(float)})
    title = (f"{label} (Basisjahr = 100)" if indexed else label) if de else \
        (f"{label} (base year = 100)" if indexed else label)
    chart = alt.Chart(frame, description=title).mark_line(
        point=True, invalid="break-paths-show-domains").encode(
        x=alt.X("year:O", title="Jahr" if de else "Year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("v:Q", title=title, scale=alt.Scale(zero=False)),
        # two columns: five names in one row are wider than a phone
        color=alt.Color("name:N", title=None,
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=170)),
        tooltip=[alt.Tooltip("name:N", title="Stadtbereich" if de else "District"),
                 alt.Tooltip("year:O", title="Jahr" if de else "Year"),
                 alt.Tooltip("v:Q", title=title, format=",.1f")],
    ).properties(height=300)
    return _finish(chart, lang)
