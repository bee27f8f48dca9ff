"""The store of answers given: one revision at a time, bounded in bytes and entries."""

from app.http.replay import Answer, ReplayStore


def answer(body: bytes) -> Answer:
    return Answer(((b"etag", b'"1-x-y"'),), body, None)


def test_an_answer_is_found_by_etag_and_caller_only() -> None:
    store = ReplayStore()
    store.put(1, '"a"', "anonymous@h", answer(b"body"))
    assert store.get(1, '"a"', "anonymous@h") == answer(b"body")
    assert store.get(1, '"a"', "key:7@h") is None
    assert store.get(1, '"b"', "anonymous@h") is None


def test_another_revision_empties_the_store() -> None:
    store = ReplayStore()
    store.put(1, '"a"', "c", answer(b"body"))
    assert store.get(2, '"a"', "c") is None
    assert len(store) == 0
    assert store.bytes_kept == 0


def test_an_answer_built_before_the_current_revision_is_not_kept() -> None:
    store = ReplayStore()
    store.put(2, '"a"', "c", answer(b"new"))
    store.put(1, '"b"', "c", answer(b"old"))
    assert store.get(2, '"b"', "c") is None
    assert len(store) == 1


def test_a_large_body_is_not_kept_but_its_headers_are() -> None:
    store = ReplayStore(max_entry_bytes=3)
    store.put(1, '"a"', "c", answer(b"four"))
    kept = store.get(1, '"a"', "c")
    assert kept is not None
    assert kept.body is None
    assert store.bytes_kept == 0


def test_the_least_recently_used_answers_go_first() -> None:
    store = ReplayStore(max_bytes=10, max_entry_bytes=10)
    store.put(1, '"a"', "c", answer(b"12345"))
    store.put(1, '"b"', "c", answer(b"12345"))
    assert store.get(1, '"a"', "c") is not None  # now the most recently used
    store.put(1, '"c"', "c", answer(b"12345"))
    assert store.get(1, '"b"', "c") is None
    assert store.get(1, '"a"', "c") is not None
    assert store.bytes_kept == 10


def test_the_number_of_answers_is_bounded() -> None:
    store = ReplayStore(max_entries=2)
    for tag in ('"a"', '"b"', '"c"'):
        store.put(1, tag, "c", answer(b""))
    assert len(store) == 2
    assert store.get(1, '"a"', "c") is None
