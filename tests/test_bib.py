"""The bibliography is generated from sources.csv: one entry per source, nothing invented, text kept literal."""
from pybtex.database import parse_string

import dataclasses
import re
import entente
from entente import bib
from conftest import raw

DATA = entente.load()


def test_one_entry_per_source_keyed_by_source_id(tmp_path):
    target = bib.write_bibliography(DATA, tmp_path / "refs.bib")
    entries = parse_string(target.read_text(), "bibtex").entries
    assert sorted(entries) == sorted(raw("sources")["source_id"])


def test_entries_carry_only_what_the_article_gives(tmp_path):
    entries = parse_string(bib.write_bibliography(DATA, tmp_path / "refs.bib").read_text(), "bibtex").entries
    for row in raw("sources").itertuples(index=False):
        fields = entries[row.source_id].fields
        assert fields["title"] == "{" + row.outlet + "}"
        assert set(fields) <= {"title", "howpublished", "year", "note", "keywords"}, "no url, author or headline"
        assert ("Web domain: " + row.domain == fields.get("note")) if row.domain else "note" not in fields
        assert ("(year inferred)" in fields["howpublished"]) == (row.year_inferred == "true")


def test_hostile_outlet_names_stay_literal(tmp_path):
    sources = DATA.sources.copy()
    sources.loc[1, "outlet"] = "Evil } @misc{x, title={y} % & $ # _ ~ ^ \\ outlet"
    sources.loc[2, "outlet"] = "Unbalanced { brace"
    data = dataclasses.replace(DATA, sources=sources)
    entries = parse_string(bib.write_bibliography(data, tmp_path / "refs.bib").read_text(), "bibtex").entries
    assert len(entries) == len(sources), "no entry injected or lost"


def test_unchanged_bibliography_is_not_rewritten(tmp_path):
    target = bib.write_bibliography(DATA, tmp_path / "refs.bib")
    before = target.stat().st_mtime_ns
    bib.write_bibliography(DATA, target)
    assert target.stat().st_mtime_ns == before


def test_every_source_is_listed_while_they_fit_and_the_page_says_nothing_more():
    entries = parse_string(bib.bibliography_text(DATA), "bibtex").entries
    assert {key for key, e in entries.items() if e.fields.get("keywords") == bib.LISTED} == set(raw("sources")["source_id"])
    assert bib.listing_note(DATA) is None


def test_past_the_limit_the_list_gives_the_article_and_the_sources_carrying_most_claims():
    links = raw("claim_sources")
    sources = raw("sources")
    article = set(sources.loc[sources["kind"] == "article", "source_id"])
    per_source = links["source_id"].value_counts().reindex(sources["source_id"], fill_value=0).drop(list(article))
    listed = bib.listed_sources(DATA, limit=4)
    assert len(listed) == 4 and article <= listed
    assert min(per_source[sorted(listed - article)]) >= per_source.drop(sorted(listed - article)).max()
    note = bib.listing_note(DATA, limit=4).data
    assert f"Of the data's {len(sources)} sources, this list gives the 4 that carry most claims" in note


def test_label_suffixes_stay_letters_past_the_alphabet():
    assert [bib.label_suffix(n) for n in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == \
        ["a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa"]


def test_thirty_reports_of_one_outlet_and_year_get_thirty_labels_of_letters():
    """pybtex's alpha style gave the 27th such report "{" and the 32nd a control character LaTeX refuses."""
    from pybtex.plugin import find_plugin

    bib.register_style()
    text = "".join(f"@misc{{same-{n}, title = {{Same Outlet}}, howpublished = {{Report}}, year = {{2022}}}}\n" for n in range(30))
    labels = [e.label for e in find_plugin("pybtex.style.formatting", bib.STYLE)().format_entries(
        parse_string(text, "bibtex").entries.values())]
    assert len(set(labels)) == 30
    assert all(re.fullmatch(r"[A-Za-z]+22[a-z]+", label) for label in labels), labels


def test_the_article_s_labels_are_alpha_s():
    from pybtex.plugin import find_plugin
    from pybtex.style.formatting.alpha import Style as Alpha

    bib.register_style()
    entries = parse_string(bib.bibliography_text(DATA), "bibtex").entries.values()
    ours = [e.label for e in find_plugin("pybtex.style.formatting", bib.STYLE)().format_entries(entries)]
    assert ours == [e.label for e in Alpha().format_entries(entries)]
