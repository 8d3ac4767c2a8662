"""Answers kept until the head block moves, or for good (blocks already in the chain)."""

# Every answer cached here depends only on the chain's state, the request's path and query,
# and who asks (ecosystem, key, role: the permissions of row and list reads). The chain only
# changes in blocks, and every block moves the head, so an answer made after the head was H
# is right until the head moves. Each request reads the head (one primary-key read of a
# one-row table): several worker processes share the database, and any of them, or another
# node, may have added the block. Concurrent requests share those reads (HeadWatch): at most
# one runs at a time, and a request waits for one that began after it arrived, never for one
# already under way (that one may predate a block the client has already seen). A block
# already in the chain never changes (rollback is an offline command), so answers about such
# blocks outlive the head.

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from api.middleware import Handler
from api.ops.metrics import METRICS
from api.request import CLIENT
from chain.freshness import NO_HEAD, Head, HeadWatch

MAX_ANSWERS = 4096  # per cache: the head's answers and the lasting ones each
CACHE_NAME = "answers"  # its label in ibax_cache_lookups

Key = tuple[str, int, int, int]
# Whether a 200 answer stays right after the head moves, given the head it was made at.
Lasting = Callable[[web.Request, int], bool]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    content_type: str

    def response(self) -> web.Response:
        return web.Response(
            status=self.status, body=self.body, headers={"Content-Type": self.content_type}
        )


class _Bounded(OrderedDict[Key, Answer]):
    """Least recently used answers, at most MAX_ANSWERS."""

    def get_fresh(self, key: Key) -> Answer | None:
        answer = self.get(key)
        if answer is not None:
            self.move_to_end(key)
        return answer

    def keep(self, key: Key, answer: Answer) -> None:
        self[key] = answer
        self.move_to_end(key)
        if len(self) > MAX_ANSWERS:
            self.popitem(last=False)


class ReadCache:
    """This process's cached answers: those of the current head, and the lasting ones."""

    def __init__(self, heads: HeadWatch) -> None:
        self._heads = heads
        self._head = NO_HEAD
        self._at_head = _Bounded()
        self._lasting = _Bounded()

    async def head(self) -> Head:
        """The head now; a moved head drops the answers of the old one."""
        head = await self._heads.now()
        if head != self._head:
            self._head = head
            self._at_head.clear()
        return head

    def find(self, key: Key) -> Answer | None:
        return self._lasting.get_fresh(key) or self._at_head.get_fresh(key)

    def keep(self, key: Key, answer: Answer, head: Head, lasting: bool) -> None:
        if lasting:
            self._lasting.keep(key, answer)
        elif head == self._head:
            # A request that read an older head may hold an older answer: not for this head.
            self._at_head.keep(key, answer)


READ_CACHE = web.AppKey("read_cache", ReadCache)


def _key(request: web.Request) -> Key:
    client = request[CLIENT]
    return (request.path_qs, client.ecosystem_id, client.key_id, client.role_id)


def cached(handler: Handler, lasting: Lasting | None = None) -> Handler:
    """Serve a GET handler's 200 answers from the cache while the head stays the same."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        cache = request.app[READ_CACHE]
        head = await cache.head()
        if head == NO_HEAD:  # before genesis: nothing to key on
            return await handler(request)
        key = _key(request)
        found = cache.find(key)
        request.app[METRICS].cache_lookup(CACHE_NAME, found is not None)
        if found is not None:
            return found.response()
        response = await handler(request)
        if response.status == 200 and isinstance(response, web.Response):
            body = response.body
            if isinstance(body, bytes):
                answer = Answer(200, body, response.headers.get("Content-Type", ""))
                stays = lasting is not None and lasting(request, head.block_id)
                cache.keep(key, answer, head, stays)
        return response

    wrapped.__name__ = getattr(handler, "__name__", "handler")
    wrapped.__doc__ = handler.__doc__
    return wrapped


def block_answer_lasts(request: web.Request, head: int) -> bool:
    """/block/{id}: a block that exists (a 200) at or below the head stays as it is."""
    try:
        return 0 < int(request.match_info["id"]) <= head
    except ValueError:
        return False


def block_range_lasts(request: web.Request, head: int) -> bool:
    """/blocks, /detailed_blocks: a range wholly in the chain stays as it is."""
    try:
        first = int(request.query.get("block_id", ""))
        count = int(request.query.get("count", ""))
    except ValueError:
        return False
    return 0 < first and 0 < count and first + count - 1 <= head
