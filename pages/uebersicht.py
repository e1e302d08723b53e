import streamlit as st

from ui import data
from ui.fmt import number
from ui.i18n import lang, t

st.title(t("app_title"))
st.write(t("overview_intro"))
districts = data.load("districts", "stadtbereiche")
indicators = data.load("indicators", "bevoelkerung")
if districts is None:
    st.info(t("no_data"))
else:
    table = districts.drop(columns="geometry")
    year = None
    if indicators is not None:
        pop = indicators[indicators.indicator == "einwohner"]
        year = int(pop.year.max())
        table = table.merge(pop[pop.year == year][["code", "value"]], on="code", how="left")
    view = table.assign(
        area=table.area_km2.map(lambda v: number(v, lang(), 2)),
        pop=table["value"].map(lambda v: number(v, lang())) if year else "–",
    )[["code", "name", "area", "pop"]].rename(columns={
        "code": t("col_code"), "name": t("col_name"), "area": t("col_area"),
        "pop": t("col_pop", year=year or "")})
    st.dataframe(view, hide_index=True, width="stretch")
