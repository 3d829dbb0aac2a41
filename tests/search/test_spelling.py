from kbbot.search.spelling import Speller, english_words, word_counts

DOCUMENTS = [
    "Cancel your subscription from the Billing page; your invoices stay available.",
    "Connect QuickBooks Online to send every payment to your ledger.",
]


def test_a_misspelt_word_is_corrected_to_the_knowledge_base_word():
    speller = Speller(word_counts(DOCUMENTS))
    assert speller.correct("how do i cancle my subscrption") == "how do i cancel my subscription"


def test_two_edits_are_corrected_only_in_long_words():
    speller = Speller(word_counts(DOCUMENTS))
    assert speller.correct_word("quikbooks") == "quickbooks"
    assert speller.correct_word("subscrpton") == "subscription"  # two letters lost in a long word
    assert speller.correct_word("bilng") == "bilng"  # two edits away from "billing", but short


def test_english_words_the_knowledge_base_lacks_are_left_alone():
    speller = Speller(word_counts(DOCUMENTS))
    assert "mileage" in english_words()
    assert speller.correct("log mileage for trips") == "log mileage for trips"


def test_unknown_names_codes_and_short_words_are_left_as_typed():
    speller = Speller(word_counts(DOCUMENTS))
    assert speller.correct("is there a hubspot integration") == "is there a hubspot integration"
    assert speller.correct("INVOCES error CANCL-422") == "INVOCES error CANCL-422"
    assert speller.correct("bil") == "bil"
    assert speller.correct("the invoce's date") == "the invoce's date"


def test_punctuation_and_spacing_survive_correction():
    speller = Speller(word_counts(DOCUMENTS))
    assert speller.correct("Cancle it, now!  (my invoces)") == "cancel it, now!  (my invoices)"


def test_an_empty_knowledge_base_corrects_nothing():
    assert Speller(word_counts([])).correct("cancle subscrption") == "cancle subscrption"


def test_a_speller_learns_new_words_and_forgets_gone_ones_in_place():
    speller = Speller(word_counts(DOCUMENTS))
    speller.learn(word_counts([DOCUMENTS[0], "Renew your membership every year."]))
    assert speller.correct_word("membrship") == "membership"
    assert speller.correct_word("quikbooks") == "quikbooks"  # QuickBooks left with its document
    assert speller.correct("cancle my subscrption") == "cancel my subscription"
