"""BM25 and error codes: documents found by the codes a query names."""

from kbbot.search.lexical import LexicalIndex


def test_documents_are_matched_by_the_error_codes_the_query_names():
    index = LexicalIndex([10, 20, 30], ["Fix SYNC-422 first.", "LDG-1042 and sync-422", "No codes here."])
    assert index.code_matches("what are sync-422 and XY-99").tolist() == [True, True, False]
    assert index.code_matches("LDG-1042?").tolist() == [False, True, False]
    assert index.code_matches("how do I reset my password").tolist() == [False, False, False]
