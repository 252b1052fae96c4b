"""The gettext catalogues: every message translated, none fuzzy, placeholders kept, catalogues current."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from analysis import _config as config
from analysis._language import LOCALE_DIR, catalogue_path

SOURCE_LANGUAGE = "en"  # the messages are written in it: its catalogue needs no msgstr
LANGUAGES = sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def problems(path: Path, source_language: bool = False) -> list[str]:
    """Everything wrong with one .po file, one line each (what a translator must fix)."""
    found = []
    for message in catalogue(path):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        where = f"{path.name} ({path.parent.parent.name}): {ids[0]!r}"
        if message.fuzzy:
            found.append(f"{where}: fuzzy (review the translation, then remove the flag)")
        if source_language and not any(strings):
            continue
        if not all(strings):
            found.append(f"{where}: not translated")
            continue
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != expected:
                found.append(
                    f"{where}: placeholders {sorted(PLACEHOLDER.findall(string))} differ from {sorted(expected)}"
                )
    return found


def test_there_is_a_catalogue_besides_the_source_languages():
    assert SOURCE_LANGUAGE in LANGUAGES and len(LANGUAGES) >= 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_none_fuzzy_placeholders_kept(lang):
    assert problems(catalogue_path(lang), source_language=lang == SOURCE_LANGUAGE) == []


def test_the_checks_catch_a_missing_a_fuzzy_and_a_changed_placeholder_translation(tmp_path):
    text = catalogue_path("es").read_text(encoding="utf-8")
    broken = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    # the first translated message with a placeholder: drop its translation, then rename a placeholder
    match = re.search(r'msgid "([^"\n]*%\((\w+)\)s[^"\n]*)"\nmsgstr "([^"\n]+)"', text)
    assert match, "the Spanish catalogue has a translated message with a placeholder"
    message, name, translation = match.groups()
    for replacement, expected in (
        ('msgstr ""', "not translated"),
        (f'msgstr "{translation.replace(f"%({name})s", "%(renamed)s")}"', "placeholders"),
        (f'#, fuzzy\nmsgid "{message}"\nmsgstr "{translation}"', "fuzzy"),
    ):
        start = text.index(match.group(0))
        if expected == "fuzzy":
            changed = text[:start] + replacement + text[start + len(match.group(0)) :]
        else:
            changed = text[:start] + f'msgid "{message}"\n{replacement}' + text[start + len(match.group(0)) :]
        broken.write_text(changed, encoding="utf-8")
        [problem] = problems(broken)
        assert expected in problem and message[:20] in problem


def test_make_translations_round_trips_with_no_change(tmp_path):
    """Extracting the messages from the code and templates and merging them changes no catalogue."""
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    pot = tmp_path / "messages.pot"
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    makefile = (config.PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    extract = re.search(r"pybabel extract (.*?) -o \.cache/messages\.pot src/analysis", makefile, re.S).group(1)
    update = re.search(r"pybabel update (.*?) -i \.cache/messages\.pot", makefile).group(1)
    run = {"cwd": config.PROJECT_ROOT, "check": True, "capture_output": True}
    subprocess.run([pybabel, "extract", *_words(extract), "-o", str(pot), "src/analysis"], **run)
    subprocess.run([pybabel, "update", *_words(update), "-i", str(pot), "-d", str(copy)], **run)
    for lang in LANGUAGES:
        merged = copy / lang / "LC_MESSAGES" / "messages.po"
        assert merged.read_text(encoding="utf-8") == catalogue_path(lang).read_text(encoding="utf-8"), (
            f"the {lang} catalogue is not up to date with the code and templates: run make translations"
        )


def _words(options: str) -> list[str]:
    import shlex

    return shlex.split(options.replace("\\\n", " "))
