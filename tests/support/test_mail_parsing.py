"""Reading customers' emails: the new text, whatever the mail is made of (pure, no server)."""

import time
from email.message import EmailMessage

import pytest

from kbbot.support import mail_parsing, quoted_text

ANSWER = "Thanks, the refund arrived today."


def customer_mail(body=ANSWER, subject="Re: your question to Ledgerly", **headers):
    email = EmailMessage()
    email["From"] = "Dana <dana@example.com>"
    email["To"] = "support+c1-aaaa@ledgerly.example"
    email["Subject"] = subject
    email["Message-ID"] = "<answer-1@mail.example.com>"
    for name, value in headers.items():
        email[name.replace("_", "-")] = value
    email.set_content(body)
    return email


def raw_mail(body: bytes, content_type="text/plain; charset=utf-8", encoding="8bit", extra=b""):
    return (
        b"From: dana@example.com\r\nTo: support@ledgerly.example\r\nSubject: Re: hi\r\n"
        b"Message-ID: <raw@mail.example.com>\r\nMIME-Version: 1.0\r\n"
        + f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {encoding}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


def test_the_headers_are_read():
    parsed = mail_parsing.parse(
        customer_mail(
            In_Reply_To="<kbbot-1@ledgerly.example>", References="<a@x> <kbbot-1@ledgerly.example>"
        ).as_bytes()
    )
    assert (parsed.sender, parsed.sender_name) == ("dana@example.com", "Dana")
    assert parsed.recipients == ("support+c1-aaaa@ledgerly.example",)
    assert parsed.message_id == "<answer-1@mail.example.com>"
    assert parsed.refers_to == ("<kbbot-1@ledgerly.example>", "<a@x>")
    assert parsed.reply == ANSWER and parsed.automatic is None and not parsed.looks_automatic


@pytest.mark.parametrize(
    "quoted",
    [
        "On Mon, 5 Jan 2026 at 10:00, Ledgerly Support <support@ledgerly.example> wrote:\n> Hi Dana,\n> done.",
        "Am Mo., 5. Jan. 2026 um 10:00 Uhr schrieb Support <support@ledgerly.example>:\n> Hallo Dana",
        "Le lun. 5 janv. 2026 à 10:00, Support <support@ledgerly.example> a écrit :\n> Bonjour",
        "From: Ledgerly Support <support@ledgerly.example>\nSent: Monday, January 5, 2026 10:00 AM\n"
        "To: Dana\nSubject: Re: your question\n\nHi Dana, I have refunded the second charge.",
        "-----Original Message-----\nFrom: Support\nHi Dana",
        "> Hi Dana,\n> I have refunded the second charge.",
    ],
)
def test_the_quoted_mail_is_left_out(quoted):
    assert quoted_text.new_text(f"{ANSWER}\n\n{quoted}\n") == ANSWER


@pytest.mark.parametrize(
    "signature",
    ["-- \nDana Smith\nACME Inc.", "Best regards,\nDana", "Sent from my iPhone"],
)
def test_the_signature_is_left_out(signature):
    assert quoted_text.new_text(f"{ANSWER}\n\n{signature}\n") == ANSWER


def test_a_list_in_the_answer_is_kept():
    answer = "Two things:\n- the refund arrived\n- the invoice is still wrong"
    assert quoted_text.new_text(answer) == answer


def test_a_mail_that_only_quotes_has_no_new_text():
    assert mail_parsing.parse(customer_mail("> Hi Dana,\n> done.").as_bytes()).reply == ""


def test_an_html_only_mail_is_read_as_text_without_its_script():
    email = customer_mail()
    email.set_content(
        "<html><head><style>p{color:red}</style><script>alert('kbbot-xss')</script></head>"
        "<body><p>Thanks, <b>the refund</b> arrived.</p><img src=x onerror=alert(1)>"
        "<blockquote>On Monday you wrote: hi</blockquote></body></html>",
        subtype="html",
    )
    parsed = mail_parsing.parse(email.as_bytes())
    assert "Thanks, the refund arrived." in parsed.reply
    assert "alert" not in parsed.text and "<" not in parsed.text and "color" not in parsed.text


def test_the_plain_text_part_is_preferred_to_the_html_one():
    email = customer_mail("Plain answer.")
    email.add_alternative("<p>HTML answer.</p>", subtype="html")
    assert mail_parsing.parse(email.as_bytes()).reply == "Plain answer."


@pytest.mark.parametrize(
    "body, content_type, encoding, expected",
    [
        ("Grüße, café".encode("iso-8859-1"), "text/plain; charset=iso-8859-1", "8bit", "Grüße, café"),
        (
            "It’s “fixed” – thanks".encode("windows-1252"),
            "text/plain; charset=windows-1252",
            "8bit",
            "It’s “fixed” – thanks",
        ),
        # Windows-1252 declared as ISO-8859-1, as many mail programs do
        ("It’s fixed".encode("windows-1252"), "text/plain; charset=iso-8859-1", "8bit", "It’s fixed"),
        (
            b"0J/RgNC40LLQtdGCLCDQstGB0ZEg0YDQsNCx0L7RgtCw0LXRgg==",
            "text/plain; charset=utf-8",
            "base64",
            "Привет, всё работает",
        ),
        ("Ça marche".encode("utf-8"), "text/plain; charset=x-unknown-charset", "8bit", "Ça marche"),
        ("Ça marche".encode("windows-1252"), "text/plain; charset=utf-8", "8bit", "Ça marche"),
        ("Ça marche".encode("utf-8"), "text/plain", "8bit", "Ça marche"),
    ],
)
def test_charsets_are_decoded_even_when_declared_wrongly(body, content_type, encoding, expected):
    assert mail_parsing.parse(raw_mail(body, content_type, encoding)).reply == expected


def test_attachments_are_noted_not_kept():
    email = customer_mail("Here is the invoice.")
    email.add_attachment(b"%PDF-1.4 secret", maintype="application", subtype="pdf", filename="invoice.pdf")
    email.add_attachment(b"\x89PNG", maintype="image", subtype="png")
    parsed = mail_parsing.parse(email.as_bytes())
    assert parsed.reply == (
        "Here is the invoice.\n\n[attachment invoice.pdf not included]\n[attachment image/png not included]"
    )
    assert "secret" not in parsed.text


def test_a_huge_text_is_cut_with_a_note():
    parsed = mail_parsing.parse(customer_mail("word " * 10_000).as_bytes())
    assert len(parsed.reply) < mail_parsing.MAX_REPLY_CHARS + 100
    assert parsed.reply.endswith("more characters not included]")


@pytest.mark.parametrize(
    "text",
    [" \n" * 50_000, "\t \n" * 30_000, "x\n\n" * 20_000, "-- \n" * 20_000, "a" + " " * 100_000 + "b"],
)
def test_text_made_to_slow_the_quote_finder_takes_no_time(text):
    started = time.monotonic()
    quoted_text.new_text(text)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    "headers, reason",
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"X_Autoreply": "yes"}, "X-Autoreply"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"Return_Path": "<>"}, "no return address"),
    ],
)
def test_auto_replies_are_told_by_their_headers(headers, reason):
    parsed = mail_parsing.parse(customer_mail(**headers).as_bytes())
    assert reason in parsed.automatic


def test_auto_submitted_no_is_a_person():
    assert mail_parsing.parse(customer_mail(Auto_Submitted="no").as_bytes()).automatic is None


def test_an_out_of_office_subject_is_only_a_hint():
    parsed = mail_parsing.parse(customer_mail(subject="Out of Office: back on Monday").as_bytes())
    assert parsed.automatic is None and parsed.looks_automatic


def test_bounces_are_told():
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    bounce["To"] = "support+c1-aaaa@ledgerly.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce.set_content("The mail could not be delivered.")
    assert "MAILER-DAEMON" in mail_parsing.parse(bounce.as_bytes()).automatic
    report = raw_mail(
        b"--b\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n--b\r\n"
        b"Content-Type: message/delivery-status\r\n\r\nAction: failed\r\n--b--\r\n",
        'multipart/report; report-type=delivery-status; boundary="b"',
    )
    assert "delivery status report" in mail_parsing.parse(report).automatic


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage with no headers",
        b"From: <<<@@@>>>\r\nTo: ,,,\r\nMessage-ID: not an id\r\nSubject: =?x-bad?B?!!!?=\r\n\r\nhello",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--",
        b"Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!",
        b'From: dana@example.com\r\nContent-Type: text/plain; charset="\r\n\r\nhi',
        b"Subject: " + b"x" * 100_000 + b"\r\n\r\nbody",
    ],
)
def test_malformed_mail_is_read_without_raising(raw):
    parsed = mail_parsing.parse(raw)
    assert parsed.message_id.startswith("<") and len(parsed.message_id) <= mail_parsing.MAX_ID_CHARS
    assert len(parsed.subject) <= 500


def test_a_mail_without_a_message_id_gets_one_from_its_bytes():
    raw = raw_mail(b"hello").replace(b"Message-ID: <raw@mail.example.com>\r\n", b"")
    assert mail_parsing.parse(raw).message_id == mail_parsing.parse(raw).message_id
    assert mail_parsing.parse(raw).message_id != mail_parsing.parse(raw + b"!").message_id
