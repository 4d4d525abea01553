"""Stage 2, text: how text becomes searchable words.

The analyzer (:mod:`newsindex.text.analysis`): a news-aware tokenizer
(numbers with separators, abbreviations, hyphenated names), lower-casing,
Snowball stemming and stop words. The same analysis reads articles and
queries, so it hands the store the terms to index and the search stage the
terms to look up.
"""
