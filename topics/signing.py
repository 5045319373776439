"""Signing bundles: the key, the HMAC-SHA256 over a manifest's exact bytes, and its check.

A hash only shows that a bundle's files still match their manifest; anyone can write a
new manifest. A signature (HMAC-SHA256 with a secret key over the manifest bytes, which
hold every file's hash) shows that the bundle was made by someone holding the key.
Signing and checking whole bundles is :func:`topics.bundle.sign_bundle` and
:func:`topics.bundle.check_signature`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

from .manifest import _SHA_RE, BundleError, read_bundle_file

__all__ = [
    "SIGNATURE",
    "SIGNING_KEY_ENV",
    "REQUIRE_SIGNATURE_ENV",
    "UnsignedBundleWarning",
    "signature_required",
    "resolve_signing_key",
    "read_key_file",
]

SIGNATURE = "manifest.sig"
SIGNING_KEY_ENV = "TOPICS_SIGNING_KEY"
REQUIRE_SIGNATURE_ENV = "TOPICS_REQUIRE_SIGNATURE"
_SIG_ALGORITHM = "hmac-sha256"


class UnsignedBundleWarning(UserWarning):
    """An unsigned bundle is being loaded: its pickle files run code, and nothing vouches for them.

    Filter it (``warnings.simplefilter("ignore", UnsignedBundleWarning)``) where unsigned
    bundles are expected; set ``$TOPICS_REQUIRE_SIGNATURE=1`` to refuse them instead.
    """


def signature_required(require: bool = False) -> bool:
    """``require``, or ``$TOPICS_REQUIRE_SIGNATURE`` set to 1/true/yes."""
    return require or os.environ.get(REQUIRE_SIGNATURE_ENV, "").strip().lower() in ("1", "true", "yes")


def resolve_signing_key(key: str | bytes | None = None) -> bytes | None:
    """The key to sign and verify bundles with: ``key``, else ``$TOPICS_SIGNING_KEY``, else None.

    A ``str`` key is used as its UTF-8 bytes. An empty key is refused rather than used,
    since an HMAC with an empty key proves nothing.
    """
    if key is None:
        env = os.environ.get(SIGNING_KEY_ENV)
        if not env:
            return None
        key = os.fsencode(env)  # the variable's exact bytes, whatever the locale
    elif isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, bytes) or not key:
        raise BundleError("The signing key is empty or not text/bytes: give a secret of some length.")
    return key


def read_key_file(path: str | os.PathLike) -> bytes:
    """Read a signing key from ``path`` (its bytes, without a trailing newline)."""
    try:
        key = Path(path).expanduser().read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise BundleError(f"Cannot read the signing key file {path} ({exc.strerror or exc}).") from None
    if not key:
        raise BundleError(f"The signing key file {path} is empty.")
    return key


def _key_id(key: bytes) -> str:
    # Tells "another key" from "modified manifest" without revealing anything about the key.
    return hmac.new(key, b"topics signing key id", hashlib.sha256).hexdigest()[:16]


def signature_text(key: bytes, manifest_bytes: bytes) -> str:
    sig = {
        "algorithm": _SIG_ALGORITHM,
        "key_id": _key_id(key),
        "hmac": hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest(),
    }
    return json.dumps(sig, indent=2, sort_keys=True) + "\n"


def check_manifest_signature(path: Path, manifest_bytes: bytes, key: bytes | None, require: bool) -> str:
    """Check ``manifest_bytes`` against ``path``/manifest.sig; return the signature status.

    The status is ``"verified"``, ``"unsigned"`` or ``"unverified"`` (signed, but no key to
    check it with). Raises BundleError when ``require`` and the signature is missing or
    cannot be checked, and whenever a key is available and the signature does not match.
    """
    if require and key is None:
        raise BundleError(
            f"Cannot check the signature of model bundle {path}: no signing key "
            f"(set ${SIGNING_KEY_ENV} or pass --signing-key-file)."
        )
    try:
        sig = json.loads(read_bundle_file(path / SIGNATURE).decode("utf-8"))
    except FileNotFoundError:
        if require:
            raise BundleError(
                f"Model bundle {path} is not signed: refusing to load it (a signature is required)."
            ) from None
        return "unsigned"
    except (OSError, ValueError) as exc:
        raise BundleError(f"Bundle signature {path / SIGNATURE} is unreadable or corrupt ({exc}).") from None
    if not (
        isinstance(sig, dict)
        and sig.get("algorithm") == _SIG_ALGORITHM
        and isinstance(sig.get("hmac"), str)
        and _SHA_RE.match(sig["hmac"])
    ):
        raise BundleError(
            f"Bundle signature {path / SIGNATURE} is malformed: expected an {_SIG_ALGORITHM} 'hmac' of 64 hex digits."
        )
    if key is None:
        return "unverified"
    if not hmac.compare_digest(hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest(), sig["hmac"]):
        reason = (
            "it was signed with a different key"
            if sig.get("key_id") != _key_id(key)
            else "its manifest was modified after signing"
        )
        raise BundleError(f"Model bundle {path} fails its signature check ({reason}): refusing to load it.")
    return "verified"
