"""The one parser: spaCy loaded by name, batched, cached per text."""

import pytest

from briefing.lang import nlp


def test_parses_sentences_lemmas_dependencies_and_entities():
    doc = nlp.parse_one("More than 6,400 residents were evacuated at about 3:40 a.m. on Sunday, officials said.")
    residents = next(t for t in doc if t.text == "residents")
    assert residents.lemma_ == "resident"
    assert residents.dep_ == "nsubjpass"
    assert ("about 3:40 a.m.", "TIME") in [(e.text, e.label_) for e in doc.ents]


def test_the_same_text_is_parsed_once_and_order_is_kept():
    texts = ["Two ships sank.", "Nine schools closed.", "Two ships sank."]
    docs = nlp.parse(texts, components={"tok2vec", "tagger", "attribute_ruler", "lemmatizer"})
    assert [d.text for d in docs] == texts
    assert docs[0] is docs[2]
    assert nlp.parse(["Nine schools closed."], components={"tagger"})[0] is not None


def test_a_missing_pipeline_is_a_clear_error():
    with pytest.raises(nlp.ModelMissing, match="requirements/spacy-model.txt"):
        nlp.load("no_such_pipeline_installed")
