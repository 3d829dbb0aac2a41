"""Small talk: messages that greet, thank, acknowledge, say yes or say goodbye, and ask nothing.

Such a message gets a social reply (`replies.SOCIAL`) rather than a search (`decisions`):
answering "hi" with "I couldn't find this in our help center" and an offer of a person is what a
bot should never do, and it would show up as a question the knowledge base failed. Only a whole
short message is small talk ("hi, can you help?", "great, thanks!", "ok bye", "👍"); one that says
anything more ("hi, how do I cancel?") is a question. The patterns are English; a message in another
language takes the normal path.
"""

import re

_GREETING = (
    r"(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening|day)|greetings)( there| team| all| everyone)?"
)
_VAGUE_REQUEST = (
    r"(i (need|want|would like) (some )?help|i have an?( quick)? question|(can|could) (you|someone|anyone) "
    r"help( me)?|(please )?help( me)?( please)?|are you there|(is )?any ?(one|body) there)"
)
_ACKNOWLEDGEMENT = (
    r"(ok(ay)?|k|great|perfect|awesome|cool|nice|brilliant|excellent|got it|understood|i see|all good"
    r"|that (helped|helps|worked|works|did it|did the trick)|it worked|that'?s (great|perfect|helpful|it))"
)
_THANKS = r"(thanks?( you)?( so much| a lot| very much)?|thx|ty|cheers|much appreciated)"
_GOODBYE = (
    r"(bye( bye| now)?|goodbye|see (you|ya)|have a (good|nice|great) (day|one|evening|weekend)"
    r"|(no,? )?that'?s all|nothing else|no,? thanks?( you)?|no,? i'?m good)"
)
_YES = r"(yes|yeah|yep|yup|sure|ok(ay)?|please|please do|go ahead|that would be (great|good|nice))"
_SEPARATOR = r"[\s,.!]*"
_ACCEPTS = re.compile(rf"{_YES}({_SEPARATOR}({_YES}|{_THANKS}))*")
SMALL_TALK_MAX_CHARS = 80  # a longer message says more than small talk (and is never matched)
# Emoji that say a word of small talk; other emoji are left out.
_EMOJI_WORDS = {"👍": "ok", "👌": "ok", "🙏": "thanks"}
_SOCIAL = {
    "goodbye": re.compile(rf"(({_ACKNOWLEDGEMENT}|{_THANKS}){_SEPARATOR})*{_GOODBYE}"),
    "thanks": re.compile(rf"({_ACKNOWLEDGEMENT}{_SEPARATOR})*{_THANKS}({_SEPARATOR}{_ACKNOWLEDGEMENT})*"),
    "acknowledgement": re.compile(rf"{_ACKNOWLEDGEMENT}({_SEPARATOR}{_ACKNOWLEDGEMENT})*"),
    "greeting": re.compile(rf"({_GREETING}{_SEPARATOR})?{_VAGUE_REQUEST}|{_GREETING}"),
}


def _short_words(message):
    """The message as small talk is matched: lower case, words and , . ! only, emoji as words;
    "" for a message too long to be small talk."""
    if len(message) > SMALL_TALK_MAX_CHARS:
        return ""
    for emoji, word in _EMOJI_WORDS.items():
        message = message.replace(emoji, f" {word} ")
    words = " ".join(re.sub(r"[^\w\s,.!'’]", " ", message.lower()).replace("’", "'").split())
    return words.strip(" ,.!")


def social_kind(message):
    """"greeting", "thanks", "acknowledgement" or "goodbye" when the whole message is small talk
    ("hi, can you help?", "great, thanks!", "ok bye", "👍"); None when it says anything more."""
    words = _short_words(message)
    return next((kind for kind, pattern in _SOCIAL.items() if pattern.fullmatch(words)), None)


def accepts(message):
    """Whether the whole message says yes ("yes please", "sure", "ok 👍"): after the bot offered a
    person, the customer takes the offer."""
    return bool(_ACCEPTS.fullmatch(_short_words(message)))
