"""Standard Webhooks signing: a notification verifies only with its exact bytes, the right secret,
all three headers and a fresh timestamp."""

import base64
import hashlib
import hmac

import pytest

from sales_service.payments import signing
from sales_service.payments.signing import SignatureInvalid

KEY = bytes(range(32))
SECRET = "whsec_" + base64.b64encode(KEY).decode()
BODY = b'{"type": "billing.paid", "data": {"billing_code": "820261123000123", "amount": 150000}}'
NOW = 1_795_000_000
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"


def signed_headers(body=BODY, *, secret=SECRET, timestamp=NOW, msg_id=MSG_ID):
    return signing.headers(secret, msg_id, timestamp, body)


def test_known_answer_pins_the_format():
    expected = base64.b64encode(hmac.new(KEY, f"{MSG_ID}.{NOW}.".encode() + BODY, hashlib.sha256).digest()).decode()

    assert signing.sign(SECRET, MSG_ID, NOW, BODY) == f"v1,{expected}"
    assert signed_headers() == {"webhook-id": MSG_ID, "webhook-timestamp": str(NOW),
                                "webhook-signature": f"v1,{expected}"}


def test_a_signed_notification_verifies_and_gives_its_id():
    assert signing.verify(SECRET, signed_headers(), BODY, now=NOW) == MSG_ID


def test_header_names_are_case_insensitive():
    upper = {name.upper(): value for name, value in signed_headers().items()}

    assert signing.verify(SECRET, upper, BODY, now=NOW) == MSG_ID


def test_a_new_secret_round_trips_and_is_not_repeated():
    secret = signing.new_secret()

    assert secret.startswith("whsec_") and len(signing.decode_secret(secret)) == 32
    assert signing.new_secret() != secret
    body = b"{}"
    assert signing.verify(secret, signing.headers(secret, "msg_1", NOW, body), body, now=NOW) == "msg_1"


def test_a_body_changed_by_one_byte_is_refused():
    tampered = BODY.replace(b"150000", b"150001")

    with pytest.raises(SignatureInvalid) as refused:
        signing.verify(SECRET, signed_headers(), tampered, now=NOW)
    assert refused.value.reason == "bad_signature"
    assert refused.value.http_status == 401
    assert refused.value.message == "Tanda tangan webhook tidak sah."


def test_a_wrong_secret_is_refused():
    with pytest.raises(SignatureInvalid) as refused:
        signing.verify(signing.new_secret(), signed_headers(), BODY, now=NOW)
    assert refused.value.reason == "bad_signature"


def test_the_id_is_part_of_what_is_signed():
    headers = {**signed_headers(), "webhook-id": "msg_other"}

    with pytest.raises(SignatureInvalid):
        signing.verify(SECRET, headers, BODY, now=NOW)


@pytest.mark.parametrize("offset, accepted", [(300, True), (-300, True), (301, False), (-301, False)])
def test_timestamps_more_than_five_minutes_off_are_refused(offset, accepted):
    headers = signed_headers(timestamp=NOW + offset)
    if accepted:
        assert signing.verify(SECRET, headers, BODY, now=NOW) == MSG_ID
    else:
        with pytest.raises(SignatureInvalid) as refused:
            signing.verify(SECRET, headers, BODY, now=NOW)
        assert refused.value.reason == "stale_timestamp"


@pytest.mark.parametrize("timestamp", ["", "soon", "1795000000.5", "-1795000000", "+1795000000", "1_795_000_000"])
def test_a_timestamp_that_is_not_whole_seconds_is_refused(timestamp):
    headers = {**signed_headers(), "webhook-timestamp": timestamp}

    with pytest.raises(SignatureInvalid) as refused:
        signing.verify(SECRET, headers, BODY, now=NOW)
    assert refused.value.reason in {"bad_timestamp", "missing_header"}


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused_and_named(missing):
    headers = {name: value for name, value in signed_headers().items() if name != missing}

    with pytest.raises(SignatureInvalid) as refused:
        signing.verify(SECRET, headers, BODY, now=NOW)
    assert refused.value.reason == "missing_header"
    assert missing in refused.value.message


def test_one_valid_signature_among_several_is_enough():
    valid = signing.sign(SECRET, MSG_ID, NOW, BODY)
    old_key = signing.sign(signing.new_secret(), MSG_ID, NOW, BODY)
    headers = {**signed_headers(), "webhook-signature": f"v1,bm90IGl0 {old_key} v2,{valid[3:]} {valid}"}

    assert signing.verify(SECRET, headers, BODY, now=NOW) == MSG_ID


@pytest.mark.parametrize("signature", ["", "v1,", "v2,{sig}", "{sig}", "v1,{sig}x", "v1,ĉ"])
def test_malformed_signatures_are_refused(signature):
    valid = signing.sign(SECRET, MSG_ID, NOW, BODY)[3:]
    headers = {**signed_headers(), "webhook-signature": signature.format(sig=valid)}

    with pytest.raises(SignatureInvalid):
        signing.verify(SECRET, headers, BODY, now=NOW)


@pytest.mark.parametrize("secret", ["", "secret", "whsec_", "whsec_not base64!", base64.b64encode(KEY).decode()])
def test_a_malformed_secret_is_a_configuration_error(secret):
    with pytest.raises(ValueError):
        signing.decode_secret(secret)
