"""What the bot says in words of its own: social replies to small talk, and the canned sentences
around its answers (offering a person, "Which of these?", waiting for a person). One place, so that
the product's voice is read and changed in one file."""

from ..models import HandoffReason

# To small talk (`small_talk.social_kind`): no search, no sources, no offer of a person.
SOCIAL = {
    "greeting": "Hi! What can I help you with? Ask your question in a sentence or two.",
    "thanks": "You're welcome! Is there anything else I can help with?",
    "acknowledgement": "Is there anything else I can help with?",
    "goodbye": "Thanks for stopping by. Have a good day!",
}
OFFER = {
    HandoffReason.CUSTOMER_REQUEST: (
        "Of course. Leave your email and a message, and a person from our support team will reply."
    ),
    HandoffReason.LOW_CONFIDENCE: (
        "I couldn't find this in our help center. A person from our support team can help: "
        "leave your email and a message."
    ),
    HandoffReason.REPEATED_UNHELPFUL: (
        "Sorry this hasn't solved it yet. Would you like a person from our support team to take over? "
        "Leave your email and a message."
    ),
}
SUGGEST = "I'm not sure I've understood. Is it one of these? If not, try rephrasing your question."
SECTION_CHOICES = "Which of these do you mean?"
# After the customer said the last reply did not work: the bot understood, it has other articles.
OTHER_ARTICLES = "Sorry that didn't work. Do any of these articles help instead?"
OFFER_AFTER_OTHER_ARTICLES = (
    "If not, a person from our support team can take over: leave your email and a message."
)
WAITING_FOR_AGENT = "Your message has been passed to our support team; a person will reply here."
READ_MORE = "Read the full article"  # the link under a quoted section
