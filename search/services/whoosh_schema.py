"""The whoosh index's schema: one text field for title and body, analysed by jieba."""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, NUMERIC, TEXT, Schema

from search.analysis import gram_tokens, index_tokens
from search.services.base import SOLVED_BOOST, TITLE_BOOST
from search.services.sources import SearchDoc

# Ends the title in the "text" field's value: title words are indexed with TITLE_BOOST as
# their weight, so a title hit counts more (and no extra field has to be searched).
TITLE_END = "\x1e"


class JiebaTokenizer(Tokenizer):
    """whoosh tokenizer over ``search.analysis.index_tokens`` (jieba search mode, word
    positions). Pickled by reference into the index's schema: keep its import path."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        title, _, body = value.rpartition(TITLE_END)
        offset = start_pos
        for text, boost in ((title, TITLE_BOOST), (body, 1.0)):
            last = offset
            for word, position in index_tokens(text):
                token.text = word
                token.boost = boost
                token.stopped = False
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = last = offset + position
                if chars:  # offsets are not kept: snippets are cut from the original text
                    token.startchar = token.endchar = start_char
                yield token
            for gram in gram_tokens(text):  # never in a phrase: any position will do
                token.text = gram
                token.boost = boost
                token.stopped = False
                if keeporiginal:
                    token.original = gram
                if positions:
                    token.pos = last
                if chars:
                    token.startchar = token.endchar = start_char
                yield token
            offset = last + 2  # a gap: no phrase runs from the title into the body


def make_schema() -> Schema:
    analyzer = JiebaTokenizer()
    return Schema(
        key=ID(stored=True, unique=True),  # "topic:12" — kind and object id
        kind=ID,
        tribe=ID,
        solved=ID,  # "1" / "0"
        owner=ID,  # the only user who may find it (cold handling); absent for everyone
        restricted=ID,  # "1" when owner is set, to find those few documents fast
        audience=ID,
        created=NUMERIC(numtype=int, bits=64, signed=True),
        # Title and body in one field: one posting list per word to intersect.
        text=TEXT(analyzer=analyzer, phrase=True),
    )


def fields_of(doc: SearchDoc) -> dict:
    fields = {
        "key": doc.key,
        "kind": doc.kind,
        "tribe": str(doc.tribe_id or 0),
        "solved": "1" if doc.solved else "0",
        "audience": doc.audience,
        "created": int(doc.created_at.timestamp()),
        "text": f"{doc.title or ''}{TITLE_END}{doc.body or ''}",
    }
    if doc.owner_id is not None:
        fields["owner"] = str(doc.owner_id)
        fields["restricted"] = "1"
    if doc.solved:
        fields["_boost"] = SOLVED_BOOST
    return fields
