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
