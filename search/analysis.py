"""Chinese text analysis shared by both search backends: jieba segmentation and tokens.

Index side: ``index_tokens(text)`` yields (token, position) in jieba's *search* mode — every
word of the precise cut at its own position, plus the dictionary 2- and 3-grams inside a long
word at that same position (as ``jieba.tokenize(mode="search")`` does). Positions count
words, not characters, so a phrase of two adjacent words matches ("投诉 客服"); jieba's own
whoosh ChineseAnalyzer stores character offsets instead, which breaks phrase queries.

Query side: ``search.parsing.parse_query`` cuts the query with the same ``_cut``.

jieba costs ~0.5 s and ~90 MB per process: ``segmenter()`` builds it once, lazily, on first
use (never at import of the web app). HMM new-word discovery is off on both sides, so the
same text always cuts the same way in a post and in a query; unknown words fall apart into
single characters, which are indexed too and matched as phrases.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

DICT_PATH = Path(__file__).resolve().parent / "dict" / "telecom.txt"
MAX_TOKEN_CHARS = 40  # longer "words" are base64, URLs and the like: not worth indexing

# Function words dropped on both sides (their position still counts, so phrases do not
# jump over them). Question words are in the list so "流量超出了怎么办" asks for 流量超出.
STOPWORDS = frozenset(
    "的 了 是 在 我 你 他 她 它 们 吗 呢 吧 啊 呀 哦 嘛 和 与 也 都 就 还 又 很 把 被 给 让 这 那 "
    "个 之 着 过 么 啦 哈 嗯 哎 噢 得 地 及 或 而 并 但 则 即 于 对 从 向 以 "
    "我们 你们 他们 她们 我的 你的 这个 那个 这样 那样 什么 怎么 怎么办 怎样 为什么 如何 "
    "请问 一下 可以 能否 是否 是不是 有没有 就是 还是 但是 因为 所以 如果 已经 然后 谢谢 您好 "
    "你好 大家 一个 有人 知道 还有 自己 现在 时候 问题 求助 急 "
    "a an and are as at be by for from in is it not of on or the to was with".split()
)

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def fold(text: str) -> str:
    """Full-width ASCII to half-width, lower case; keeps the length (for highlighting)."""
    folded = text.translate(_FULLWIDTH).lower()
    if len(folded) != len(text):  # a rare character whose lower case is longer (İ → i̇)
        folded = "".join(c.translate(_FULLWIDTH).lower()[:1] or c for c in text)
    return folded


_segmenter = None
_segmenter_lock = threading.Lock()


def segmenter():
    """This process's jieba tokenizer with the telecom dictionary, built on first use.

    A private ``jieba.Tokenizer`` (not the global ``jieba.dt``) so words another package
    might add at run time cannot change how posts are cut for the index.
    """
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in dictionary_words():
                    tokenizer.add_word(word)
                _segmenter = tokenizer
    return _segmenter


def dictionary_words() -> list[str]:
    """The custom telecom terms shipped in search/dict/telecom.txt (folded)."""
    words = []
    for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().split(" ")[0]
        if word:
            words.append(fold(word))
    return words


def _is_wordlike(word: str) -> bool:
    return any(c.isalnum() for c in word)


# Letters and digits glued to Han characters are cut apart (139邮箱 → 139 邮箱, 4g套餐 →
# 4g 套餐): jieba keeps such a run whole, so a post writing "139 邮箱" and a query writing
# "139邮箱" (or the reverse) would share no word.
_SCRIPT_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[a-z0-9])")


def split_scripts(text: str) -> str:
    return _SCRIPT_BOUNDARY_RE.sub(" ", text)


def _cut(text: str) -> Iterator[tuple[str, int]]:
    """Precise cut of folded ``text``: (word, position), punctuation advancing the position."""
    position = -1
    for word in segmenter().cut(split_scripts(text), HMM=False):
        if word.isspace():
            continue
        position += 1
        if _is_wordlike(word):
            yield word, position


def index_tokens(text: str) -> Iterator[tuple[str, int]]:
    """Search-mode tokens of ``text`` with word positions (see the module docstring)."""
    freq = segmenter().FREQ
    for word, position in _cut(fold(text)):
        if word in STOPWORDS or len(word) > MAX_TOKEN_CHARS:
            continue
        n = len(word)
        if n > 2:
            for i in range(n - 1):
                gram = word[i:i + 2]
                if freq.get(gram):
                    yield gram, position
        if n > 3:
            for i in range(n - 2):
                gram = word[i:i + 3]
                if freq.get(gram):
                    yield gram, position
        yield word, position


_SYNTAX_RE = re.compile(r"[^\w]+")  # anything but letters, digits, CJK and _
GRAM_PREFIX = "~"  # never part of a word (jieba cuts "~" off as punctuation)
_HAN_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")


def _bigrams(runs: Iterable[str]) -> list[str]:
    grams: list[str] = []
    for run in runs:
        grams += [GRAM_PREFIX + run[i:i + 2] for i in range(len(run) - 1)]
    return grams


def gram_tokens(text: str) -> list[str]:
    """Character bigrams of the Han text ("~宽带", "~带安", "~安装"), indexed beside the
    words: the fallback for words the dictionary does not know or cuts differently."""
    return list(dict.fromkeys(_bigrams(_HAN_RUN_RE.findall(fold(text)[:20000]))))


def query_grams(text: str) -> list[str]:
    """The bigrams of a query's Han words, stop words left out (流量超出了怎么办 → 流量 量超
    超出): adjacent kept words form one run, so the bigram across them counts too."""
    runs: list[str] = []
    for chunk in _SYNTAX_RE.sub(" ", fold(text)).split():
        current = ""
        for word, _ in _cut(chunk):
            if word in STOPWORDS or not _HAN_RUN_RE.fullmatch(word + word):
                runs.append(current)
                current = ""
            else:
                current += word
        runs.append(current)
    return list(dict.fromkeys(_bigrams(runs)))


def segmented(text: str) -> str:
    """The index tokens joined by spaces (for debugging and the PostgreSQL tsvector)."""
    return " ".join(token for token, _ in index_tokens(text))
