"""Notes in other languages: each note's language is detected, its keyword index built
with PostgreSQL's configuration for it (accents folded), queries matched in every
language present."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.search import search_notes
from pkm_core.domain.note import Note
from pkm_core.domain.snippet import Snippet
from pkm_core.infrastructure.persistence.models import NoteRow
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]

NOTES = {
    "Declaración de la renta": "Las declaraciones de impuestos se presentan cada primavera; "
    "guarda los recibos y las facturas del año.",
    "Bücher für den Urlaub": "Ich lese im Sommer viele Bücher über die Geschichte der Städte "
    "und ihrer Häuser.",
    "Налоговая декларация": "Налоговые декларации подаются весной, квитанции и книги "
    "расходов хранятся пять лет.",
    "Tax filing deadlines": "Federal returns are due in April; keep the receipts and invoices.",
}


def keyword(uow: UowFactory, query: str) -> list[str]:
    return [h.title for h in search_notes(uow(), None, query, SearchMode.KEYWORD)]


def test_each_note_is_indexed_in_its_own_language(uow: UowFactory, add: AddNote) -> None:
    for title, body in NOTES.items():
        add(title, body)
    with uow() as u:
        configs = dict(u._session.execute(select(NoteRow.title, NoteRow.text_config)).all())  # type: ignore[union-attr]
    assert configs == {
        "Declaración de la renta": "spanish",
        "Bücher für den Urlaub": "german",
        "Налоговая декларация": "russian",
        "Tax filing deadlines": "english",
    }


def test_inflected_and_unaccented_queries_find_spanish_german_and_russian_notes(
    uow: UowFactory, add: AddNote
) -> None:
    for title, body in NOTES.items():
        add(title, body)
    assert keyword(uow, "declaracion ") == ["Declaración de la renta"]  # no accent, singular
    assert keyword(uow, "impuesto ") == ["Declaración de la renta"]
    assert keyword(uow, "Buch ") == ["Bücher für den Urlaub"]  # Bücher, stemmed in German
    assert keyword(uow, "декларация ") == ["Налоговая декларация"]
    assert keyword(uow, "книга ") == ["Налоговая декларация"]  # книги
    assert keyword(uow, "receipt ") == ["Tax filing deadlines"]  # English still stemmed


def test_snippets_match_in_the_notes_language(uow: UowFactory, add: AddNote) -> None:
    for title, body in NOTES.items():
        add(title, body)
    (hit,) = search_notes(uow(), None, "книга ", SearchMode.KEYWORD)
    assert "«книги»" in Snippet(hit.snippet, hit.highlights).marked("«", "»")
    (hit,) = search_notes(uow(), None, "recibo ", SearchMode.KEYWORD)
    assert "«recibos»" in Snippet(hit.snippet, hit.highlights).marked("«", "»")


def test_a_note_in_a_new_language_is_found_after_the_languages_were_known(
    uow: UowFactory, add: AddNote
) -> None:
    # The languages present are remembered by the process; any process may add one.
    add("Declaracion form", "The declaracion form of the office.")
    assert keyword(uow, "declaracion ") == ["Declaracion form"]
    assert keyword(uow, "impuesto ") == []
    add("Declaración de la renta", NOTES["Declaración de la renta"])
    # The English note's hit reports that Spanish is present now: searched again in both.
    assert set(keyword(uow, "declaracion ")) == {"Declaracion form", "Declaración de la renta"}
    add("Bücher für den Urlaub", NOTES["Bücher für den Urlaub"])
    # No hit in the languages known: they are asked again, and German is among them.
    assert keyword(uow, "Buch ") == ["Bücher für den Urlaub"]
