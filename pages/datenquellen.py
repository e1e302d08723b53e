import streamlit as st

from ui import data
from ui.i18n import t

st.title(t("page_data"))
st.write(t("data_intro"))
status = data.catalogue_status()
st.dataframe(
    status.drop(columns=["id", "available"]).rename(columns={
        "title": t("col_title"), "stand": t("col_stand"), "rows": t("col_rows"),
        "licence": t("col_licence"), "source": t("col_source"), "last_error": t("col_error"),
    }),
    hide_index=True, width="stretch",
)
