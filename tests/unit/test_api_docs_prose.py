"""The API docs page shows code spans from descriptions and escapes everything else."""

from forumapp.api.docs import prose


def test_code_spans_become_code_elements() -> None:
    assert prose("Send `X-CSRFToken` with writes.") == (
        "Send <code>X-CSRFToken</code> with writes."
    )


def test_markup_in_descriptions_is_escaped_inside_and_outside_code_spans() -> None:
    html = prose('<script>alert(1)</script> `<img src=x onerror="y">`')
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<code>&lt;img" in html


def test_missing_description_is_empty() -> None:
    assert prose(None) == ""
