import base64

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.ingest import IngestError
from db.models import ImportBatch, Transaction
from webapp.upload import UploadError, decode_contents, ingest_upload, safe_suffix, source_name


def as_upload(data: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def test_decode_contents():
    assert decode_contents(as_upload(b"a,b\n1,2\n")) == b"a,b\n1,2\n"
    for broken in ("", "no comma", "data:text/csv,plain", "data:text/csv;base64,@@@"):
        with pytest.raises(UploadError):
            decode_contents(broken)


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("online_retail.csv.gz", ".csv.gz"),
        ("Data.XLSX", ".xlsx"),
        ("a.b.c.csv", ".c.csv"),
        ("noext", ""),
        ("../../etc/passwd", ""),
        ("x.c$v", ""),
    ],
)
def test_safe_suffix(name, suffix):
    assert safe_suffix(name) == suffix


def test_source_name_strips_directories():
    assert source_name("C:\\Users\\me\\retail.csv") == "retail.csv"
    assert source_name("../../x.csv") == "x.csv"
    assert source_name("") == "upload"
    assert len(source_name("y" * 400 + ".csv")) == 255


def test_ingest_upload_loads_then_recognises_the_same_file(engine, tiny_csv):
    contents = as_upload(tiny_csv.read_bytes())
    first = ingest_upload(contents, "tiny.csv", engine=engine)
    assert (first["status"], first["rows_read"], first["rows_stored"]) == ("loaded", 6, 4)
    assert (first["duplicates"], first["rejected"]) == (1, 1)
    second = ingest_upload(contents, "renamed.csv", engine=engine)
    assert second["status"] == "already_imported" and second["batch_id"] == first["batch_id"]
    with Session(engine) as s:
        assert s.scalar(select(ImportBatch.source_name)) == "tiny.csv"
        assert s.scalar(select(func.count()).select_from(Transaction)) == 4


def test_refused_upload_leaves_nothing(engine):
    with pytest.raises(IngestError, match="the file is empty"):
        ingest_upload(as_upload(b""), "empty.csv", engine=engine)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_upload_over_the_limit_is_refused_with_the_limit(engine):
    big = as_upload(b"x" * (1024 * 1024 + 1))
    with pytest.raises(UploadError, match=r"the file is 1\.0 MB, over the upload limit of 1 MB"):
        ingest_upload(big, "big.csv", engine=engine, max_mb=1)


def test_a_refused_header_says_how_to_map_it_from_the_command_line(engine):
    from webapp.components.data_views import upload_outcome

    odd = b"Invoice,Item,Qty,When,Price,Customer,Country\n1,A,1,2011-01-05 10:00,1.0,1,France\n"
    with pytest.raises(IngestError) as refused:
        ingest_upload(as_upload(odd), "odd.csv", engine=engine)
    text = str(upload_outcome("odd.csv", error=str(refused.value)))
    # Was "map others with --map FIELD=COLUMN": an option this page does not have.
    assert "from the command line: segments ingest FILE --map FIELD=COLUMN" in text
    assert "map others with" not in text and "columns found" in text


def test_ingest_progress_reports_rows_and_time_at_most_every_half_second():
    """Was: the Data page's bar sat at "30% loading..." for a minute on a big file, then 100%."""
    from webapp.upload import IngestProgress, elapsed

    now = [100.0]
    seen = []
    progress = IngestProgress(seen.append, clock=lambda: now[0])
    progress.stage(5, "loading")
    progress.rows(50_000, 4_800_000)
    now[0] += 0.2
    progress.rows(100_000, 4_800_000)  # too soon: not written to the job cache
    now[0] += 64.8
    progress.rows(5_000_000, 4_800_000)  # over the estimate: stays under "saving"
    progress.rows(5_050_000, None)
    progress.stage(95, "saving")
    assert seen == [
        (5, "loading (0 s)"),
        (11, "50,000 of about 4,800,000 rows read (0 s)"),
        (95, "5,000,000 of about 4,800,000 rows read (1 min 05 s)"),
        (95, "saving (1 min 05 s)"),
    ]
    assert (elapsed(59.9), elapsed(600)) == ("59 s", "10 min 00 s")


def test_ingest_upload_reports_the_rows_as_they_are_read(engine):
    from db.ingest.load import IngestOptions
    from webapp.upload import IngestProgress

    header = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    lines = "".join(f"5{n:05d},A1,X,1,12/13/2010 8:26,2.55,17850,United Kingdom\n" for n in range(120_000))
    seen = []
    result = ingest_upload(
        as_upload((header + lines).encode()), "big.csv", engine=engine, progress=IngestProgress(seen.append, every=0)
    )
    assert result["rows_read"] == 120_000
    chunk = IngestOptions().chunk_rows
    rows = [label for _p, label in seen if "rows read" in label]
    assert [r.split(" of ")[0] for r in rows] == [f"{chunk:,}", f"{2 * chunk:,}", "120,000"]
    assert [p for p, _l in seen] == sorted(p for p, _l in seen)  # the bar only moves forward
    assert seen[0][1].startswith("reading the file") and seen[-1][1].startswith("saving")
