from kbbot.search.chunking import (
    CODE_CUT,
    MAX_CODE_CHARS,
    MAX_PASSAGE_WORDS,
    MAX_SENTENCE_WORDS,
    article_entries,
    passages,
    split_sentences,
    unfenced,
)


def test_title_and_each_question_are_their_own_entries():
    entries = article_entries("Reset your password", "", ["forgot my password", "can't log in"])
    assert [(e.kind, e.text) for e in entries] == [
        ("title", "Reset your password"),
        ("question", "forgot my password"),
        ("question", "can't log in"),
    ]


def test_passages_know_their_heading_path_and_position():
    body = "Intro text.\n\n## Set up\n\nFirst step.\n\n### On mobile\n\nTap the icon.\n\n## Troubleshooting\n\nRetry.\n"
    entries = article_entries("Guide", body)
    found = [(e.heading_path, e.text) for e in entries if e.kind == "passage"]
    assert found == [
        ((), "Intro text."),
        (("Set up",), "First step."),
        (("Set up", "On mobile"), "Tap the icon."),
        (("Troubleshooting",), "Retry."),
    ]
    assert [e.position for e in entries] == list(range(len(entries)))
    assert entries[2].search_text == "Guide > Set up: First step."


def test_long_sections_split_at_sentence_boundaries_within_the_limit():
    sentence = "Every invoice has a number that you can change in the settings page."
    body = "## Numbers\n\n" + " ".join([sentence] * 40)
    pieces = passages(body)
    assert len(pieces) > 1
    for heading_path, text in pieces:
        assert heading_path == ("Numbers",)
        assert len(text.split()) <= MAX_PASSAGE_WORDS
        assert text.endswith("settings page.")


def test_a_sentence_longer_than_a_passage_is_a_passage_of_its_own():
    clause = "and the credit note keeps the original invoice number for your records"
    run_on = "A refund is possible within 180 days of the payment, " + ", ".join([clause] * 7) + "."
    assert passages(f"## Refunds\n\n{run_on} Contact support for older payments.") == [
        (("Refunds",), run_on),  # 94 words: an answer that stops mid-sentence misleads
        (("Refunds",), "Contact support for older payments."),
    ]


def test_only_a_sentence_longer_than_the_model_reads_is_cut():
    sentence = " ".join(["word"] * (MAX_SENTENCE_WORDS + 10)) + "."
    assert [len(text.split()) for _, text in passages(sentence)] == [MAX_SENTENCE_WORDS, 10]


def test_steps_tables_and_code_keep_their_meaning():
    body = (
        "1. Open **Settings**.\n2. Click `Save`.\n\n"
        "| Code | Meaning |\n|---|---|\n| SYNC-422 | Tax rate not mapped |\n| SYNC-500 | Retry later. |\n\n"
        "```\ncurl https://api.example\n```\n"
    )
    text = " ".join(text for _, text in passages(body))
    assert "1. Open Settings." in text
    assert "2. Click Save." in text
    assert "Code: SYNC-422; Meaning: Tax rate not mapped." in text
    assert "Code: SYNC-500; Meaning: Retry later.\n" in text  # one full stop, not two
    assert "curl https://api.example" in text


def test_a_long_code_block_is_cut_at_a_line_and_says_so():
    code = "\n".join(f'  "field_{n}": "value number {n}",' for n in range(40))
    ((_, text),) = passages(f"```json\n{{\n{code}\n}}\n```")
    lines = text.split("\n")
    assert lines[0] == lines[-1] == "```"  # fenced, so an answer can show it as code
    assert len("\n".join(lines[1:-2])) <= MAX_CODE_CHARS
    assert lines[-2] == CODE_CUT and lines[-3] in code.split("\n")  # whole lines, then the mark


def test_a_fence_is_longer_than_any_run_of_backticks_in_the_code():
    ((_, text),) = passages("    Write ``` to open a block.\n")
    assert text == "````\nWrite ``` to open a block.\n````"
    assert unfenced(f"Run this:\n{text}") == "Run this:\nWrite ``` to open a block."


def test_raw_html_is_never_indexed():
    text = " ".join(t for _, t in passages("Safe text.\n\n<script>alert(1)</script>\n"))
    assert "Safe text." in text
    assert "script" not in text


def test_an_empty_body_gives_no_passages():
    assert passages("") == []
    assert passages("   \n\n") == []


def test_split_sentences_keeps_abbreviated_numbers_together():
    assert split_sentences("Plans cost $9.50 a month. Cancel any time! Really?") == [
        "Plans cost $9.50 a month.",
        "Cancel any time!",
        "Really?",
    ]


def test_content_hash_changes_with_the_text_only():
    one = article_entries("Title", "Same text.")
    two = article_entries("Title", "Same text.")
    three = article_entries("Title", "Other text.")
    assert [e.content_hash for e in one] == [e.content_hash for e in two]
    assert one[1].content_hash != three[1].content_hash
    assert one[0].content_hash == three[0].content_hash


def test_a_list_item_without_text_does_not_make_the_next_paragraph_a_list_item():
    body = "- ![The logo on an invoice](logo.png)\n\nThe logo shows on every invoice you send.\n"
    assert passages(body) == [((), "The logo shows on every invoice you send.")]


def test_numbered_steps_are_counted_without_the_items_that_are_only_an_image():
    body = (
        "Do this:\n\n1. ![The Save button](save.png)\n2. Click **Save**.\n"
        "   1. ![Tick](tick.png)\n   2. Tick **Send**.\n3. Click **Send**.\n"
    )
    assert passages(body) == [((), "Do this:\n1. Click Save.\n1. Tick Send.\n2. Click Send.")]
