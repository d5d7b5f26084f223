from webapp.wording import counted, later_batches, lines_and_rows


def test_counts_read_as_words():
    assert counted(1, "line") == "1 line"
    assert counted(0, "line") == "0 lines"
    assert counted(12345, "rejected row") == "12,345 rejected rows"
    assert lines_and_rows(1, 2) == "1 line and 2 rejected rows"
    assert lines_and_rows(2, 1) == "2 lines and 1 rejected row"
    assert later_batches(["2"]) == ("later batch 2", "it", "that batch")
    assert later_batches(["#2", "#3"]) == ("later batches #2, #3", "they", "those batches")
