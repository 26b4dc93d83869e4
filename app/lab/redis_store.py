"""The lab's runs in Redis, when DROPOUT_LAB_REDIS_URL is set: shared by web processes and workers
on any machine. The same protocol as the files of app/lab/store.py, key for file:

    lab:run:<h>:events   a Stream: the run's server-sent events, one entry {e: bytes} each, XADDed
                         by the job (app/lab/jobs.py); a listener XREADs it from 0, then blocks.
                         (store.py's .part.) Kept EVENTS_TTL seconds after the run's last event.
    lab:run:<h>:claim    the run's token, SET NX by the web process that enqueues its job: one
                         training per run over every process (single flight). (store.py's .lock.)
    lab:run:<h>:owner    "<attempt> <host> <pid>" of the job training it (the work horse, leader of
                         its process group), SET with a PX of OWNER_TTL ms by the job and renewed
                         every HEARTBEAT s: gone, the job died (SIGKILL, a lost machine).
    lab:run:<h>:starts   how many times a job began the run; lab:run:<h>:recover:<n> the mark of the
                         web process that handled the end of attempt n (a retry, or the error).
    lab:run:<h>:listen   SET with a PX by every web process with listeners of the run, each second:
                         the job stops a run nobody has listened to for the grace period. (.listen)
    lab:run:<h>:sse      a finished run's events, replayed byte for byte. (store.py's .sse.)
    lab:finished         sorted set: h -> last use (ms); lab:finished:bytes hash: h -> size. Past
                         the byte bound the least recently used go.
    lab:seconds          the last runs' durations, for the queue's Retry-After.

<h> is the sha256 of the run's key (``LabQuery.run_key()``), as on disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

PREFIX = "lab:"
QUEUE = "dropout-lab"  # the RQ queue of the lab's runs
HEARTBEAT = 1.0  # seconds between a job's renewals of its owner key, and a listener's of listen
OWNER_TTL = 4_000  # ms: an owner key not renewed this long means its job died
LISTEN_TTL = 3_000  # ms
CLAIM_TTL = 6 * 3600  # s: a claim whose job never ran (lost with the queue) frees the run at last
EVENTS_TTL = 120  # s: a finished stream stays for listeners still reading it, then only the .sse
ATTEMPTS = 2  # a job that dies is run again once; the second death ends the run with an error
SECONDS_KEPT = 20  # run durations averaged for Retry-After


def run_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class RunKeys:
    h: str

    def _k(self, what: str) -> str:
        return f"{PREFIX}run:{self.h}:{what}"

    @property
    def events(self) -> str:
        return self._k("events")

    @property
    def claim(self) -> str:
        return self._k("claim")

    @property
    def owner(self) -> str:
        return self._k("owner")

    @property
    def starts(self) -> str:
        return self._k("starts")

    def recover(self, attempt: int) -> str:
        return self._k(f"recover:{attempt}")

    @property
    def listen(self) -> str:
        return self._k("listen")

    @property
    def sse(self) -> str:
        return self._k("sse")


FINISHED = PREFIX + "finished"
FINISHED_BYTES = PREFIX + "finished:bytes"
SECONDS = PREFIX + "seconds"
TRAININGS = PREFIX + "trainings"  # jobs begun, ever: tests and benchmarks count trainings by it

# Run by a web process whose listener heard nothing for a while: the attempt whose job died, once
# (the first caller to see it takes it), or 0. KEYS: claim, starts, owner; ARGV: the recover prefix.
DIED = """
if redis.call('exists', KEYS[1]) == 0 then return 0 end
local n = tonumber(redis.call('get', KEYS[2]) or '0')
if n == 0 or redis.call('exists', KEYS[3]) == 1 then return 0 end
if redis.call('set', ARGV[1] .. n, '1', 'NX', 'EX', 86400) then return n end
return 0
"""

# Run by a job as it begins: its attempt number, or 0 when the run is no longer its (the claim
# names another token: ended, or claimed again since). KEYS: claim, starts, owner, trainings;
# ARGV: token, owner ttl ms, "<host> <pid>".
BEGIN = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
local n = redis.call('incr', KEYS[2])
redis.call('set', KEYS[3], n .. ' ' .. ARGV[3], 'PX', ARGV[2])
redis.call('incr', KEYS[4])
return n
"""

# Run by a job every HEARTBEAT: renew the owner and the claim while the run is its; 0 otherwise.
# KEYS: claim, owner; ARGV: token, the owner's value, owner ttl ms, claim ttl s.
RENEW = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('expire', KEYS[1], ARGV[4])
return 1
"""

# Free a claim only while it holds this token. KEYS: claim; ARGV: token.
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def prune(r, max_bytes: int) -> None:
    """Remove the least recently used finished runs until they fit in ``max_bytes`` (sync client)."""
    total = sum(int(v) for v in r.hvals(FINISHED_BYTES))
    while total > max_bytes:
        oldest = r.zrange(FINISHED, 0, 0)
        if not oldest:
            return
        h = oldest[0].decode() if isinstance(oldest[0], bytes) else oldest[0]
        size = int(r.hget(FINISHED_BYTES, h) or 0)
        pipe = r.pipeline()
        pipe.delete(RunKeys(h).sse)
        pipe.zrem(FINISHED, h)
        pipe.hdel(FINISHED_BYTES, h)
        pipe.execute()
        total -= size
