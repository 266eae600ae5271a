"""Rasa's Redis lock store, with every change of a lock made atomically.

Rasa 3.6's RedisLockStore reads a conversation's lock, changes it and writes it back in separate
steps. Two replicas taking a ticket for the same conversation at once both read the same lock,
and the later write drops the other's ticket: both messages were handled at once and one
message's events were lost (`make test-scale` showed it). Here each change is a Redis
transaction, retried when another replica changed the lock in between.
"""

import json
from collections.abc import Callable
from typing import TypeVar, cast

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    """`type: extensions.dialogue.lock_store.AtomicRedisLockStore` in endpoints.yml, with the
    settings of Rasa's `type: redis` (url, port, db, password, key_prefix, ...).
    """

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def change_lock(
        self,
        conversation_id: str,
        change: Callable[[TicketLock], Result],
        create: bool = False,
        delete_when_idle: bool = False,
    ) -> Result | None:
        """Applies `change` to the conversation's lock in one transaction; its result.

        Without `create`, a conversation with no lock is left alone (None). With
        `delete_when_idle`, a lock nobody waits for any more is deleted instead of saved.
        """
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as transaction:
            while True:
                try:
                    transaction.watch(key)
                    serialised = transaction.get(key)
                    if serialised is None and not create:
                        return None
                    lock = (
                        TicketLock.from_dict(json.loads(serialised))
                        if serialised
                        else self.create_lock(conversation_id)
                    )
                    result = change(lock)
                    transaction.multi()
                    if delete_when_idle and not lock.is_someone_waiting():
                        transaction.delete(key)
                    else:
                        transaction.set(key, lock.dumps())
                    transaction.execute()
                    return result
                except WatchError:
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            # With create=True there is always a lock, so always a ticket.
            return cast(
                int,
                self.change_lock(
                    conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True
                ),
            )
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self.change_lock(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.change_lock(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.change_lock(
            conversation_id,
            lambda lock: lock.remove_ticket_for(ticket_number),
            delete_when_idle=True,
        )
