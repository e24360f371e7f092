"""Bound accounts with a bearer token, as the data generators of the signed-in benchmarks make
them (imported by bench/*_data.py after Django is set up)."""

import datetime as dt


def bound_accounts_with_tokens(
    persons, *, phone_prefix: str, token_name: str, now, batch_size: int, first: int = 0
) -> list[str]:
    """One account bound to each person (phone `+86<phone_prefix><8 digits>`, numbered from
    `first`, no usable password) with a bearer token made as POST auth/token makes it, valid a
    day and used `now`. Returns the keys, one per person: what a client sends as `Bearer <key>`."""
    from django.contrib.auth.hashers import make_password

    from accounts.auth import token_hash, token_new_key
    from accounts.models import ApiToken, User

    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"+86{phone_prefix}{i:08d}",
                phone=f"+86{phone_prefix}{i:08d}",
                password=unusable,
                person=person,
                bound_at=now,
            )
            for i, person in enumerate(persons, start=first)
        ],
        batch_size=batch_size,
    )
    keys, tokens = [], []
    for user in users:
        prefix, secret, key = token_new_key()
        keys.append(key)
        tokens.append(
            ApiToken(
                user=user,
                name=token_name,
                prefix=prefix,
                key_hash=token_hash(secret),
                expires_at=now + dt.timedelta(days=1),
                last_used_at=now,
            )
        )
    ApiToken.objects.bulk_create(tokens, batch_size=batch_size)
    return keys
