import csv
import io

from sqlalchemy.orm import Session

from db.ingest import ingest_file


def test_rejected_rows_csv(client, engine, tiny_csv):
    with Session(engine) as s, s.begin():
        batch = ingest_file(tiny_csv, session=s).batch_id
    response = client.get(f"/download/rejected-rows.csv?batch={batch}")
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="rejected-rows-batch-{batch}.csv"'
    )
    assert response.data.startswith(b"\xef\xbb\xbfbatch_id,")  # UTF-8 with the BOM Excel needs
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["batch_id", "row_number", "reason", "detail", "raw"]
    assert len(rows) == 2 and rows[1][0] == str(batch)
    assert rows[1][4].startswith("{") and '"Description": "=HYPERLINK(1)"' in rows[1][4]
    assert client.get("/download/rejected-rows.csv?batch=x").status_code == 400
    unknown = client.get("/download/rejected-rows.csv?batch=999")  # was: 200, a header-only file
    assert unknown.status_code == 404 and unknown.get_data(as_text=True) == "No import batch #999.\n"
