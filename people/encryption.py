"""Field encryption for the most sensitive values: where a victim who fled now lives, and everything a referrer
typed. Values are Fernet tokens in the database; the keys live outside it, in OPENMARAC_FIELD_ENCRYPTION_KEYS
(newest first), so a copy of the database or a backup alone gives none of them away.

An encrypted column holds ciphertext that differs every time it is written, so it cannot be filtered, ordered
or indexed on. Only `isnull` lookups are allowed; anything else fails with a FieldError instead of silently
matching nothing. Keep a separate plain column for anything that must be queried (as Address does for the
postcode district)."""

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import ExpressionWrapper, F, Value

SETTING = "OPENMARAC_FIELD_ENCRYPTION_KEYS"


class UndecryptableValue(Exception):
    """A stored value that none of the configured keys opens: a key was removed too soon, or the wrong keys
    are configured. Never shown as data, because the alternative is silently showing garbage."""


@dataclass(frozen=True)
class _Keys:
    all: MultiFernet
    newest: Fernet


@lru_cache(maxsize=8)
def _keys_for(keys: tuple[str, ...]) -> _Keys:
    if not keys:
        raise ImproperlyConfigured(f"Set {SETTING} to at least one Fernet key, newest first.")
    try:
        fernets = [Fernet(key) for key in keys]
    except ValueError as error:
        # The message names the position, never the key itself.
        raise ImproperlyConfigured(f"Every key in {SETTING} must be a Fernet key ({error})") from None
    return _Keys(all=MultiFernet(fernets), newest=fernets[0])


def _keys() -> _Keys:
    return _keys_for(tuple(getattr(settings, SETTING, ())))


def encrypt_text(plaintext: str) -> str:
    return _keys().all.encrypt(plaintext.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _keys().all.decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            f"An encrypted value could not be decrypted with any key in {SETTING}: the key it was written "
            "with is missing (removed before rotate_encryption_keys was run?) or the keys are wrong."
        ) from None


def is_under_newest_key(token: str) -> bool:
    try:
        _keys().newest.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate_token(token: str) -> str:
    """The same value re-encrypted under the newest key (its original timestamp kept)."""
    try:
        return _keys().all.rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(f"A value could not be rotated: no key in {SETTING} decrypts it.") from None


class _NoQueries:
    """Ciphertext is different on every write, so comparisons would silently match nothing: refuse them."""

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        return None


class EncryptedTextField(_NoQueries, models.TextField):  # type: ignore[type-arg]
    """Text stored as a Fernet token; None and "" are stored as they are."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)


class EncryptedJSONField(_NoQueries, models.TextField):  # type: ignore[type-arg]
    """A JSON document serialised, then stored as a Fernet token. No key lookups: read the whole document."""

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, cls=DjangoJSONEncoder))

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        # A string here is the document serialised (by value_to_string, for fixtures), never a document itself.
        return json.loads(value) if isinstance(value, str) else value

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)


ENCRYPTED_FIELDS = (EncryptedTextField, EncryptedJSONField)


def encrypted_field_names(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields if isinstance(field, ENCRYPTED_FIELDS)]


@dataclass
class RotationCount:
    rows: int = 0
    rotated: int = 0
    already_current: int = 0


def _raw(name: str) -> ExpressionWrapper[Any]:
    # A plain TextField output skips the field's decryption, so the token itself comes back.
    return ExpressionWrapper(F(name), output_field=models.TextField())


def _rotated_row(row: tuple[Any, ...], count: RotationCount) -> list[str | None] | None:
    """The row's tokens under the newest key, or None when every one of them already is."""
    tokens: list[str | None] = []
    changed = False
    for token in row:
        if not token or is_under_newest_key(token):
            count.already_current += bool(token)
            tokens.append(token)
            continue
        tokens.append(rotate_token(token))
        count.rotated += 1
        changed = True
    return tokens if changed else None


def _rotate_batch(model: type[models.Model], names: list[str], after_pk: Any, size: int, count: RotationCount) -> Any:
    """Rotate one batch of rows, locked while it is rewritten; return the last primary key seen, or None."""
    with transaction.atomic():
        rows = list(
            model._base_manager.select_for_update()
            .filter(pk__gt=after_pk)
            .order_by("pk")
            .values_list("pk", *(_raw(name) for name in names))[:size]
        )
        changed = []
        for pk, *tokens in rows:
            rotated = _rotated_row(tuple(tokens), count)
            if rotated is not None:
                # Written as raw text values, so the field does not encrypt the tokens a second time.
                values = {
                    name: Value(token, output_field=models.TextField())
                    for name, token in zip(names, rotated, strict=True)
                }
                changed.append(model(pk=pk, **values))
        model._base_manager.bulk_update(changed, names)
        count.rows += len(rows)
    return rows[-1][0] if rows else None


def rotate_model(model: type[models.Model], *, batch_size: int = 500) -> RotationCount:
    """Re-encrypt every encrypted value of one model under the newest key. Safe to run again: values already
    under the newest key are left alone."""
    names = encrypted_field_names(model)
    count = RotationCount()
    last_pk: Any = 0
    while names and last_pk is not None:
        last_pk = _rotate_batch(model, names, last_pk, batch_size, count)
    return count
