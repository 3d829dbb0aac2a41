"""Intent words: the contrasting things customers ask to do, which embeddings blur.

"How do I turn on 2FA" and "Turn off 2FA" embed almost alike, and so do "I
forgot my password" and "change my password": sentence embeddings mostly
keep the topic and lose the polarity. Articles put the two sides in sibling
sections ("Turn on 2FA" / "Turn off 2FA", "If you can't sign in" / "If
you're already signed in", "Why it happens" / "How to fix it"), so when the
question's intent words name one side, the section whose heading names the
same side is the answer and the one naming the opposite side is not.
`agreement` gives that as a feature of section choice (`retrieval`), whose
weight is fitted on the dev questions. English, like the rest of the
lexical side. Pure functions.
"""

import re

_PATTERNS = {
    "turn_on": r"turn(s|ed|ing)? (it |them |this |that )?on|switch(es|ed|ing)? on|enabl\w*|activat\w*"
    r"|set(s|ting)? (it |them )?up|setup|start(s|ed|ing)? using|opt(s|ed|ing)? in",
    "turn_off": r"turn(s|ed|ing)? (it |them |this |that )?off|switch(es|ed|ing)? off|disabl\w*|deactivat\w*"
    r"|stop(s|ped|ping)?|paus\w*|opt(s|ed|ing)? out|get rid of|no longer (want|need)",
    "add": r"add(s|ed|ing)?|creat\w*|connect(s|ed|ing)?|invit\w*|link(s|ed|ing)?|import\w*|new",
    "remove": r"remov\w*|delet\w*|disconnect\w*|unlink\w*|cancel\w*|void\w*|archiv\w*|erase\w*|leave|leaving",
    "lost_access": r"forg[eo]t\w*|(can'?t|cannot|can not|don'?t|do not) (remember|recall)|lost|locked out"
    r"|(can'?t|cannot|can not|unable to|not able to) (sign|log) ?in|reset\w*|recover\w*|get back in",
    "change": r"chang\w*|updat\w*|edit\w*|already (signed|logged) in|(while|when) (signed|logged) in",
    "cause": r"why|what causes|caus(e|es|ed|ing)|reasons?|what does .{1,40} mean|meaning|what is happening",
    "fix": r"fix\w*|solv\w*|resolv\w*|what (do|should|can) (i|we) do|how (do|can) (i|we) (get|make)"
    r"|troubleshoot\w*|work ?around|get (it|this) (working|to work)|clear (it|the error)",
    "upgrade": r"upgrad\w*|higher plan|bigger plan|more (users|seats)",
    "downgrade": r"downgrad\w*|lower plan|smaller plan|cheaper plan|fewer (users|seats)",
}
_OPPOSITES = {
    "turn_on": "turn_off",
    "add": "remove",
    "lost_access": "change",
    "cause": "fix",
    "upgrade": "downgrade",
}
OPPOSITE = {**_OPPOSITES, **{b: a for a, b in _OPPOSITES.items()}}
_COMPILED = {name: re.compile(rf"\b({pattern})\b", re.IGNORECASE) for name, pattern in _PATTERNS.items()}
_APOSTROPHES = re.compile(r"[’‘`´]")


def intents(text):
    """The intents `text` names, e.g. {"turn_on"} for "how do I enable two-factor authentication"."""
    text = _APOSTROPHES.sub("'", text)
    return frozenset(name for name, pattern in _COMPILED.items() if pattern.search(text))


def agreement(question, heading):
    """How a heading's intents agree with a question's: 1.0 when they share one, -1.0 when the heading
    names only the opposite of what the question asks, else 0.0. Both are sets from `intents`."""
    if question & heading:
        return 1.0
    if any(OPPOSITE[name] in heading for name in question):
        return -1.0
    return 0.0
