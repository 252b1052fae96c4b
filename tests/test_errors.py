"""Messages: every value they quote is bounded, and cannot act on the terminal."""

import datetime as dt

import pytest

from analysis.errors import DataValidationError, Omitted, Problem, shown_text, shown_value


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("RUS", "'RUS'"),
        ("x" * 60, "'" + "x" * 60 + "'"),
        ("x" * 61, "'" + "x" * 60 + "…' (1 more character)"),
        ("y" * 100_000, "'" + "y" * 60 + "…' (99,940 more characters)"),
        ("red\x1b[31mtext", "'red\\x1b[31mtext'"),  # an escape sequence shows, it does not colour
        ("abc\u202edcba", "'abc\\u202edcba'"),  # a right-to-left override would reverse what follows
        ("two\nlines", "'two\\x0alines'"),
    ],
)
def test_shown_text(text, shown):
    assert shown_text(text) == shown


def billion_laughs(depth=9, width=9):
    """A list that shares itself: 9**9 items when expanded, a few hundred objects in memory."""
    value = ["lol"] * width
    for _ in range(depth - 1):
        value = [value] * width
    return value


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("nine", "'nine'"),
        (True, "True"),
        (None, "None"),
        (2.5, "2.5"),
        (dt.date(2024, 1, 2), "datetime.date(2024, 1, 2)"),
        (10**29, "100000000000000000000000000000"),
        (10**40, "a number of about 41 digits"),
        (10**200, "a number of about 201 digits"),
        (["a", "b"], "['a', 'b']"),
        (list(range(8)), "[0, 1, 2, 3, 4, … (3 more items)]"),
        ({"a": 1}, "{'a': 1}"),
        ([[[1]]], "[[[…]]]"),
    ],
)
def test_shown_value(value, shown):
    assert shown_value(value) == shown


def test_a_value_that_would_expand_to_billions_is_shown_in_a_few_hundred_characters():
    # two levels shown, five items of each, the rest counted; deeper levels elided
    inner = "[" + ", ".join(["[…]"] * 5 + ["… (4 more items)"]) + "]"
    assert shown_value(billion_laughs()) == "[" + ", ".join([inner] * 5 + ["… (4 more items)"]) + "]"


def test_a_problem_escapes_its_file_and_bounds_its_column():
    problem = Problem("data\x1b]0;x\x07/fdi.csv", 3, "c" * 100, "is wrong")
    assert str(problem) == "data\\x1b]0;x\\x07/fdi.csv:3: column " + "c" * 60 + "… (40 more characters): is wrong"


def test_unlisted_problems_come_last_and_count():
    problems = [
        Omitted("b.csv", None, None, "5 more problems not listed", 5),
        Problem("b.csv", 7, "x", "second"),
        Problem("a.csv", 2, None, "first"),
        Problem("b.csv", None, None, "whole file"),
    ]
    error = DataValidationError(problems)
    assert [p.message for p in error.problems] == ["first", "whole file", "second", "5 more problems not listed"]
    assert error.count == 8
