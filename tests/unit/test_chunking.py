"""Chunking: heading-aware pieces of about the model's window, each carrying the title."""

from __future__ import annotations

from pkm_core.domain.chunking import DEFAULT_MAX_WORDS, chunk_note


def words(n: int, word: str = "word") -> str:
    return " ".join(f"{word}{i}." if i % 12 == 11 else f"{word}{i}" for i in range(n))


def test_a_short_note_is_one_chunk_that_carries_the_title() -> None:
    (chunk,) = chunk_note("Tomatoes", "They need sun and water.")
    assert chunk.text == "They need sun and water."
    assert chunk.embed_text == "Tomatoes\nThey need sun and water."


def test_a_note_without_a_body_is_one_chunk_holding_its_title() -> None:
    (chunk,) = chunk_note("Only a title", "")
    assert (chunk.text, chunk.embed_text) == ("Only a title", "Only a title")


def test_a_long_paragraph_is_cut_at_sentence_ends_into_pieces_of_about_equal_size() -> None:
    chunks = chunk_note("Long", words(400), max_words=180)
    sizes = [len(c.text.split()) for c in chunks]
    assert len(chunks) == 3
    assert max(sizes) <= 180
    assert max(sizes) - min(sizes) <= 24  # balanced, no crumb at the end
    assert all(c.text.endswith(".") for c in chunks[:-1])  # cut after a sentence
    assert " ".join(c.text for c in chunks).split() == words(400).split()  # nothing lost


def test_a_sentence_longer_than_the_window_is_cut_by_words() -> None:
    chunks = chunk_note("Run-on", " ".join(["w"] * 500), max_words=100)
    assert [len(c.text.split()) for c in chunks] == [100] * 5


def test_every_chunk_of_a_section_carries_the_title_and_the_heading() -> None:
    body = f"intro text\n\n## Methods\n\n{words(300)}\n\n## Results\n\nit worked"
    chunks = chunk_note("Study", body, max_words=180)
    methods = [c for c in chunks if c.embed_text.startswith("Study\nMethods\n")]
    assert len(methods) == 2
    assert chunks[0].embed_text == "Study\nintro text"
    assert chunks[-1].embed_text == "Study\nResults\nit worked"
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_a_hash_inside_a_code_fence_is_not_a_heading() -> None:
    body = "```bash\n# not a heading\necho hi\n```"
    (chunk,) = chunk_note("Script", body)
    assert "# not a heading" in chunk.text


def test_paragraph_breaks_inside_a_chunk_are_kept() -> None:
    (chunk,) = chunk_note("Two", "first paragraph.\n\nsecond paragraph.")
    assert chunk.text == "first paragraph.\n\nsecond paragraph."


def test_the_content_hash_follows_the_text_the_model_reads() -> None:
    (a,) = chunk_note("Title", "same body")
    (b,) = chunk_note("Title", "same body")
    (c,) = chunk_note("Other title", "same body")
    assert a.content_hash == b.content_hash != c.content_hash


def test_the_default_window_fits_a_typical_note_in_one_chunk() -> None:
    assert len(chunk_note("Note", words(DEFAULT_MAX_WORDS))) == 1
    assert len(chunk_note("Note", words(DEFAULT_MAX_WORDS + 1))) == 2
