"""RFM on the real UCI file, on both backends, against the reference figures and plain pandas."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from analytics import trends
from analytics.cleaning import REFERENCE_RULES, CleaningRules
from analytics.rfm import compute_rfm
from db.ingest import ingest_file

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def _pandas_reference_rfm(path) -> pd.DataFrame:
    """The reference analysis done the plain way: read, drop duplicates, clean, group."""
    df = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    df = df.drop_duplicates()
    df = df[df["CustomerID"].notna() & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
    df = df[~df["InvoiceNo"].str.upper().str.startswith("C")]
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df["Revenue"] = df["Quantity"] * df["UnitPrice"]
    snapshot = df["InvoiceDate"].max() + pd.Timedelta(days=1)
    rfm = df.groupby("CustomerID").agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("Revenue", "sum")
    )
    rfm["recency"] = (snapshot - rfm["last"]).dt.days
    return rfm


@pytest.fixture
def loaded(engine, real_data):
    with Session(engine) as session, session.begin():
        ingest_file(real_data, session=session)
    return engine


def test_reference_rfm_on_the_real_file(loaded, real_data):
    with Session(loaded) as session:
        reference = compute_rfm(session=session, rules=REFERENCE_RULES)
        default = compute_rfm(session=session)
        net = compute_rfm(session=session, rules=CleaningRules(returns="net"))
        early = compute_rfm(session=session, as_of=date(2011, 6, 1))
        # The very time of the last invoice: strictly before means that invoice is out.
        last_moment = compute_rfm(session=session, as_of=datetime(2011, 12, 9, 12, 50))
        default_kpis = trends.kpis(session=session)

    frame = reference.frame
    assert len(frame) == 4338
    assert reference.snapshot == datetime(2011, 12, 10, 12, 50)
    assert round(frame["monetary"].sum(), 2) == 8_887_208.89
    assert frame["frequency"].sum() == 18_532

    plain = _pandas_reference_rfm(real_data)
    ours = frame.set_index("customer_id")
    assert list(ours.index) == sorted(plain.index)
    assert (ours["recency"] == plain["recency"]).all()
    assert (ours["frequency"] == plain["frequency"]).all()
    assert (ours["monetary"] - plain["monetary"]).abs().max() < 0.005

    # Default rules drop postage, fees, manual lines and vouchers: 4 customers bought only those.
    assert len(default.frame) == 4334
    assert round(default.frame["monetary"].sum(), 2) == default_kpis["revenue"] == 8_737_227.64
    assert default_kpis["customers"] == 4334
    # Netting returns lowers revenue, never frequency.
    assert net.frame["frequency"].sum() == default.frame["frequency"].sum()
    assert net.frame["monetary"].sum() < default.frame["monetary"].sum()
    # Nothing at or after the cut-off leaks in.
    assert early.frame["last_purchase"].max() < datetime(2011, 6, 1)
    assert early.frame["recency"].min() >= 0 and len(early.frame) < 4334
    assert last_moment.frame["last_purchase"].max() < datetime(2011, 12, 9, 12, 50)
    assert last_moment.frame["frequency"].sum() == default.frame["frequency"].sum() - 1
