"""The customer search (the customer list's `q`, the top bar's search box, the API's `q`).

What a query matches (documented in the README, "Search"): the query is split into words and a
customer matches when **every** word matches it; a word matches

- the customer's code or USCC exactly (either case),
- anywhere in the customer's name,
- the start of the name's pinyin (`dadi`) or of its pinyin initials (`ddyh`) — ASCII words only,
  on the indexed `name_pinyin` / `name_initials` columns,
- the start of the name of one of the customer's contacts,
- a contact's **complete** phone number or e-mail address (exact, indexed; a partial number
  matches nothing, so masked numbers cannot be probed digit by digit).

A query that is one phone number written with spaces or dashes (`138 1234 5678`) is one word.
Every match is applied to a queryset already restricted to the user's scope.
"""

import re

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from gecrm.core.filters import prefix_q

from .grams import name_contains
from .models import Contact, Customer
from .pinyin import is_key_query

# A phone number as typed: digits with optional +, spaces, dashes, dots or parentheses.
_PHONE = re.compile(r"^\+?[\d\s\-().]{7,30}$")
_PHONE_NOISE = re.compile(r"[\s\-().]")
MIN_PHONE_DIGITS = 7


def phone_forms(word: str) -> list[str]:
    """The spellings a complete phone number may be stored in, or [] if `word` is not one."""
    if not _PHONE.match(word):
        return []
    compact = _PHONE_NOISE.sub("", word)
    digits = compact.lstrip("+")
    if len(digits) < MIN_PHONE_DIGITS or not digits.isdigit():
        return []
    forms = {word, compact, digits}
    if digits.startswith("86") and len(digits) == 13:  # +86 138… → 138…
        forms.add(digits[2:])
    return sorted(forms)


def is_email(word: str) -> bool:
    local, at, domain = word.rpartition("@")
    return bool(at and local and "." in domain and " " not in word)


def search_words(value: str) -> list[str]:
    value = (value or "").strip()
    if not value:
        return []
    if phone_forms(value):
        return [value]
    return value.split()


def contacts_matching(word: str, contacts: QuerySet | None = None) -> QuerySet | None:
    """Contacts whose complete phone number or e-mail address is `word` (None: neither)."""
    contacts = Contact._base_manager.all() if contacts is None else contacts
    phones = phone_forms(word)
    if phones:
        return contacts.filter(phone__in=phones)
    if is_email(word):
        return contacts.alias(email_lower=Lower("email")).filter(email_lower=word.lower())
    return None


def _ids(queryset: QuerySet, field: str = "pk") -> QuerySet:
    return queryset.order_by().values(field)


def word_q(word: str, vendor: str) -> Q:
    """`pk IN (… UNION ALL …)`: each way a word can match is its own indexed select (an OR in
    one WHERE makes SQLite scan the whole table in code order); "anywhere in the name" goes
    through the name bigram index (grams.py), only a one-character word reads all names."""
    customers = Customer._base_manager
    upper = word.upper()
    parts = [
        _ids(customers.filter(code__in=sorted({word, upper}))),
        # The USCC index is partial (non-blank values): repeat its condition so it is used.
        _ids(customers.filter(uscc=upper).exclude(uscc="")),
    ]
    contacts = contacts_matching(word)
    if contacts is not None:
        parts.append(_ids(contacts, "customer_id"))
    else:
        parts.append(_ids(name_contains(customers.all(), word)))
        if is_key_query(word):
            key = word.lower()
            parts.append(_ids(customers.filter(prefix_q("name_pinyin", key, vendor))))
            parts.append(_ids(customers.filter(prefix_q("name_initials", key, vendor))))
        named = Contact._base_manager.filter(prefix_q("name", word, vendor))
        parts.append(_ids(named, "customer_id"))
    return Q(pk__in=parts[0].union(*parts[1:], all=True))


def customer_search_q(value: str, vendor: str) -> Q:
    """Every word of `value` matches (see the module's docstring); empty → everything."""
    q = Q()
    for word in search_words(value):
        q &= word_q(word, vendor)
    return q


def matching_contacts(customers: QuerySet, value: str, limit: int = 10) -> list[Contact]:
    """Contacts the query names exactly (a complete phone number or e-mail address), among the
    customers of `customers` (the user's scoped queryset), with their customer.

    Two small queries: the contacts by their index, then which of their customers are in scope
    (a join would make SQLite list a province's 200,000 customers first)."""
    words = search_words(value)
    if len(words) != 1:
        return []
    contacts = contacts_matching(words[0])
    if contacts is None:
        return []
    found = list(contacts.select_related("customer").order_by("customer__code", "name")[:200])
    if not found:
        return []
    visible = set(
        customers.filter(pk__in={c.customer_id for c in found}).values_list("pk", flat=True)
    )
    return [c for c in found if c.customer_id in visible][:limit]
